using Urm.Core.Cards;
using Urm.Core.Models.Package;
using Urm.Core.Serving;
using Urm.Core.Tests.Models;
using static Urm.Core.Tests.Serving.ServingCatalog;

namespace Urm.Core.Tests.Serving;

/// <summary>
/// The served score with the model's repeat term (signed), alone and beside a co-occurrence table,
/// against brute force: every item's model score (from the same model without either section, all 30
/// asked for with no rule), plus its repeat term from the model history (the newest L = 6 items) by
/// definition, then its boost, the request's rules applied by hand, sorted (ties: lower row first), cut at k.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class RepeatServingTests(TinyModel model) : IAsyncLifetime
{
    private const double Weight = 1.0;
    private const int Recent = 8;
    private static readonly string[] ServedTasks = [RecommendTasks.NextItem, RecommendTasks.NextPurchase];
    private static readonly BusinessRules NoRules = new(false, false, null, null, null, null, null);
    private static readonly RecommendationOptions Stingy = new() { OverFetchFactor = 1 };
    private static readonly int[] History = [1, 4, 9, 14, 20];

    private readonly List<IDisposable> _packages = [];
    private readonly List<string> _directories = [];
    private CardSnapshot _snapshot = null!;
    private RecommendationService _plain = null!;
    private CoOccurrenceFile.Table _table = null!;
    private int L => model.Package.Sizes.L;

    public Task InitializeAsync()
    {
        _snapshot = Snapshot(model);
        _table = CoOccurrenceFile.Random(model.Package.Sizes.IdCount, seed: 23, perItem: 6);
        _plain = Service(Package(repeat: null, coOccurrence: false));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        foreach (var package in _packages) package.Dispose();
        foreach (var directory in _directories)
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_negative_term_pushes_a_history_item_out_and_the_next_best_item_in()
    {
        var all = await _plain.RecommendAsync(Request(RecommendTasks.NextItem, History, TinyModel.ItemCount, NoRules), CancellationToken.None);
        var historyIds = History.Select(Id).ToHashSet();
        // k such that the best-ranked history item is the last of the plain answer.
        var k = all.Items.ToList().FindIndex(i => historyIds.Contains(i.ItemId)) + 1;
        Assert.InRange(k, 1, TinyModel.ItemCount - History.Length);
        var pushed = all.Items[k - 1].ItemId;
        var next = all.Items.Skip(k).First(i => !historyIds.Contains(i.ItemId)).ItemId;
        var byEvent = RepeatManifest.EventNames.ToDictionary(e => e, _ => Enumerable.Repeat(-100f, RepeatManifest.Starts.Length).ToArray());
        var service = Service(Package((RepeatManifest.Starts, byEvent), coOccurrence: false));
        var request = Request(RecommendTasks.NextItem, History, k, NoRules);

        var plain = await _plain.RecommendAsync(request, CancellationToken.None);
        var answer = await service.RecommendAsync(request, CancellationToken.None);

        Assert.Contains(plain.Items, i => i.ItemId == pushed);
        Assert.DoesNotContain(answer.Items, i => i.ItemId == pushed);
        Assert.Equal(plain.Items.Where(i => i.ItemId != pushed).Select(i => i.ItemId).Append(next), answer.Items.Select(i => i.ItemId));
        Assert.Equal(await BruteForce(request, RepeatManifest.Starts, byEvent, coOccurrence: false), answer.Items);
    }

    [Fact]
    public async Task A_positive_term_lifts_a_history_item()
    {
        var all = await _plain.RecommendAsync(Request(RecommendTasks.NextItem, History, TinyModel.ItemCount, NoRules), CancellationToken.None);
        var lastSeen = all.Items.Last(i => History.Contains(Row(i.ItemId))).ItemId;
        var byEvent = RepeatManifest.EventNames.ToDictionary(e => e, _ => Enumerable.Repeat(100f, RepeatManifest.Starts.Length).ToArray());
        var service = Service(Package((RepeatManifest.Starts, byEvent), coOccurrence: false));
        var request = Request(RecommendTasks.NextItem, History, History.Length, NoRules);

        var answer = await service.RecommendAsync(request, CancellationToken.None);

        Assert.Equal(History.Select(Id).Order(), answer.Items.Select(i => i.ItemId).Order());
        Assert.Contains(answer.Items, i => i.ItemId == lastSeen);
        Assert.Equal(await BruteForce(request, RepeatManifest.Starts, byEvent, coOccurrence: false), answer.Items);
    }

    [Fact]
    public async Task The_served_top_k_is_the_brute_force_top_k_over_random_cases()
    {
        var random = new Random(77);
        var checkedCases = 0;
        var changed = 0;
        for (var package = 0; package < 6; package++)
        {
            var starts = package % 2 == 0 ? RepeatManifest.Starts : [0, 2, 4];
            var byEvent = RepeatManifest.Random(seed: 100 + package, starts.Length, scale: package < 3 ? 0.3 : 2.0);
            var coOccurrence = package % 3 != 0;
            var directory = Package((starts, byEvent), coOccurrence);
            var services = new[] { Service(directory), Service(directory, Stingy) };
            for (var trial = 0; trial < 15; trial++)
            {
                var task = ServedTasks[random.Next(ServedTasks.Length)];
                // Longer than L now and then, with repeats, so that only the newest L count and the newest occurrence decides.
                var history = Enumerable.Range(0, random.Next(0, 11)).Select(_ => random.Next(TinyModel.ItemCount)).ToArray();
                var events = history.Select(_ => RepeatManifest.EventNames[random.Next(4)]).ToArray();
                var k = new[] { 1, 3, 5, 10, 20 }[random.Next(5)];
                BusinessRules?[] rules =
                [
                    NoRules,
                    NoRules with { AvailableOnly = true },
                    new(null, false, [Id(random.Next(30)), Id(random.Next(30))], null, null, null, null),
                    new(true, false, null, [Categories[random.Next(3)]], null, null, 25),
                    new(false, false, null, null, [Categories[random.Next(3)]], 10, null),
                    null, // the defaults: available only, seen left out
                ];
                foreach (var rule in rules)
                {
                    var request = Request(task, history, k, rule, events);
                    var expected = await BruteForce(request, starts, byEvent, coOccurrence);
                    foreach (var service in services)
                        Assert.Equal(expected, (await service.RecommendAsync(request, CancellationToken.None)).Items);
                    var without = await BruteForce(request, null, null, coOccurrence);
                    if (!expected.SequenceEqual(without)) changed++;
                    checkedCases++;
                }
            }
        }
        // The term changed many answers, so the comparison tested it, not the plain scan.
        Assert.InRange(changed, checkedCases / 10, checkedCases);
    }

    [Fact]
    public async Task With_seen_items_left_out_the_term_changes_nothing()
    {
        var byEvent = RepeatManifest.Random(seed: 8, RepeatManifest.Starts.Length, scale: 5.0);
        var service = Service(Package((RepeatManifest.Starts, byEvent), coOccurrence: false));
        foreach (var task in ServedTasks)
            foreach (var rule in new BusinessRules?[] { null, NoRules with { ExcludeSeen = true } })
            {
                var request = Request(task, History, 10, rule);
                Assert.Equal((await _plain.RecommendAsync(request, CancellationToken.None)).Items, (await service.RecommendAsync(request, CancellationToken.None)).Items);
            }
    }

    [Theory]
    [InlineData(RecommendTasks.NextPurchase)]
    [InlineData(RecommendTasks.Similar)]
    [InlineData(RecommendTasks.Category)]
    [InlineData(RecommendTasks.Search)]
    [InlineData(RecommendTasks.Explore)]
    public async Task A_task_the_section_does_not_list_is_served_as_before(string task)
    {
        var byEvent = RepeatManifest.EventNames.ToDictionary(e => e, _ => Enumerable.Repeat(-100f, RepeatManifest.Starts.Length).ToArray());
        var service = Service(Package((RepeatManifest.Starts, byEvent), coOccurrence: false, tasks: [RecommendTasks.NextItem]));
        // Two categories only, so that explore (which leaves the history's categories out) has items to show.
        int[] history = [2, 9, 14, 20];
        var request = Request(task, history, 10, NoRules) with
        {
            Query = task == RecommendTasks.Search ? "a gentle face cream" : null,
            Category = task == RecommendTasks.Category ? "Beauty>Skin" : null,
        };

        var plain = await _plain.RecommendAsync(request, CancellationToken.None);
        var answer = await service.RecommendAsync(request, CancellationToken.None);

        Assert.NotEmpty(answer.Items);
        Assert.Equal(plain.Items, answer.Items);
        // The listed task is changed by the same terms.
        var listed = Request(RecommendTasks.NextItem, history, TinyModel.ItemCount, NoRules);
        Assert.NotEqual((await _plain.RecommendAsync(listed, CancellationToken.None)).Items, (await service.RecommendAsync(listed, CancellationToken.None)).Items);
    }

    /// <summary>Score every item, add its repeat term then its boost, keep what the rules let through, sort, cut at k.</summary>
    private async Task<List<RecommendedItem>> BruteForce(
        RecommendRequest request, int[]? starts, IReadOnlyDictionary<string, float[]>? byEvent, bool coOccurrence)
    {
        // Every item with its model score, interest and reason: the same request to the model alone, no rule.
        var all = await _plain.RecommendAsync(request with { K = TinyModel.ItemCount, Rules = NoRules }, CancellationToken.None);
        Assert.Equal(TinyModel.ItemCount, all.Items.Count);
        var history = request.History!.Select(h => (h.ItemId, h.Event ?? "view")).ToList();
        var ids = history.Select(h => h.ItemId).ToList();
        var modelHistory = history.Skip(Math.Max(0, history.Count - L)).ToList();
        var terms = starts is null ? [] : RepeatManifest.Of(starts, byEvent!, modelHistory);
        var boosts = coOccurrence ? CoOccurrenceBoosts.Of(_table, model.Package.Manifest.IdTable, Weight, Recent, ids) : [];
        var rules = request.Rules;
        bool Eligible(int row)
        {
            if ((rules?.AvailableOnly ?? true) && !Available(row)) return false;
            if ((rules?.ExcludeSeen ?? true) && ids.Contains(Id(row))) return false;
            if (rules?.ExcludeIds is { } excluded && excluded.Contains(Id(row))) return false;
            if (rules?.Categories is { } allow && !allow.Contains(Category(row))) return false;
            if (rules?.ExcludeCategories is { } deny && deny.Contains(Category(row))) return false;
            if (rules?.PriceMin is { } min && !(Price(row) >= min)) return false;
            return rules?.PriceMax is not { } max || Price(row) <= max;
        }
        float Served(RecommendedItem i)
        {
            var score = (float)i.Score;
            if (terms.TryGetValue(i.ItemId, out var term)) score += term;
            if (boosts.TryGetValue(i.ItemId, out var boost)) score += boost;
            return score;
        }
        return all.Items
            .Where(i => Eligible(Row(i.ItemId)))
            .Select(i => i with { Score = Served(i) })
            .OrderByDescending(i => i.Score).ThenBy(i => Row(i.ItemId))
            .Take(request.K!.Value)
            .ToList();
    }

    private static RecommendRequest Request(string task, int[] history, int k, BusinessRules? rules, string[]? events = null) => new(
        "u-1", history.Select((item, j) => new HistoryEvent(Id(item), events?[j] ?? (item % 3 == 0 ? "purchase" : "view"), null)).ToArray(),
        task, null, null, null, null, k, rules);

    private static int Row(string id) => int.Parse(id["sku-".Length..]);

    /// <summary>A package copy with the given repeat section (none when null) and, when asked, the test's co-occurrence table.</summary>
    private string Package((int[] Starts, IReadOnlyDictionary<string, float[]> ByEvent)? repeat, bool coOccurrence, string[]? tasks = null)
    {
        var directory = CoOccurrenceFile.CopyPackage(model.Directory, "urm-repeat-model-");
        _directories.Add(directory);
        CoOccurrenceFile.EditManifest(directory, m =>
        {
            m.Remove("cooccurrence");
            m.Remove("repeat");
        });
        if (coOccurrence) CoOccurrenceFile.AddTo(directory, _table.Bytes(), _table.Pairs, Weight, Recent, ServedTasks);
        if (repeat is { } r) RepeatManifest.AddTo(directory, tasks ?? ServedTasks, r.Starts, r.ByEvent);
        return directory;
    }

    private RecommendationService Service(string directory, RecommendationOptions? options = null)
    {
        var package = ModelPackage.Load(directory, TinyModel.Session);
        _packages.Add(package);
        var text = new PromptTableEncoder(Path.Combine(model.Root, "features"));
        return new RecommendationService(ServingModel.Create(package, text), new FixedSnapshotSource(_snapshot), options);
    }
}

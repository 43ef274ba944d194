using Urm.Core.Cards;
using Urm.Core.Models.Package;
using Urm.Core.Serving;
using Urm.Core.Tests.Models;
using static Urm.Core.Tests.Serving.ServingCatalog;

namespace Urm.Core.Tests.Serving;

/// <summary>
/// The served score with the co-occurrence boost, against brute force: every item's model score (from
/// the same model without a table, all 30 asked for with no rule), plus its boost by definition, the
/// request's rules applied by hand, sorted, cut at k. The tiny package's copy gives sku-7 no table row
/// (its idTable entry is renamed), and the table lifts the item the model ranks last for one history.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class CoOccurrenceServingTests(TinyModel model) : IAsyncLifetime
{
    private const double Weight = 1.0;
    private const int Recent = 8; // more than the model's L = 6: the boost reads further back than the model
    private static readonly string[] ServedTasks = [RecommendTasks.NextItem, RecommendTasks.NextPurchase];
    private static readonly int[] SleeperHistory = [2, 9, 14, 20];
    private static readonly BusinessRules NoRules = new(false, false, null, null, null, null, null);

    private readonly List<IDisposable> _packages = [];
    private readonly List<string> _directories = [];
    private RecommendationService _plain = null!;
    private RecommendationService _boosted = null!;
    private RecommendationService _stingy = null!;
    private RecommendationService _similar = null!;
    private CoOccurrenceFile.Table _table = null!;
    private IReadOnlyDictionary<string, int> _idTable = null!;
    private string _sleeper = null!;

    public async Task InitializeAsync()
    {
        var snapshot = Snapshot(model);
        var plainDirectory = Copy();
        CoOccurrenceFile.EditManifest(plainDirectory, m => m.Remove("cooccurrence"));
        _plain = Service(plainDirectory, snapshot);

        // The item the plain model ranks last for SleeperHistory, among those a default request may show.
        var plain = await _plain.RecommendAsync(Request(RecommendTasks.NextItem, SleeperHistory, 30, NoRules), CancellationToken.None);
        _sleeper = plain.Items.Last(i => Available(Row(i.ItemId)) && !SleeperHistory.Contains(Row(i.ItemId)) && i.ItemId != "sku-7").ItemId;

        var boostedDirectory = Copy();
        var similarDirectory = Copy();
        foreach (var directory in new[] { boostedDirectory, similarDirectory })
        {
            CoOccurrenceFile.EditManifest(directory, m =>
            {
                var idTable = m["idTable"]!.AsObject();
                var index = idTable["sku-7"]!.GetValue<int>();
                idTable.Remove("sku-7");
                idTable["not-in-the-catalog-sku-7"] = index;
            });
        }
        var idCount = model.Package.Sizes.IdCount;
        var random = CoOccurrenceFile.Random(idCount, seed: 21, perItem: 6);
        _idTable = model.Package.Manifest.IdTable.ToDictionary(e => e.Key == "sku-7" ? "not-in-the-catalog-sku-7" : e.Key, e => e.Value);
        var newest = _idTable[Id(SleeperHistory[^1])];
        var entries = random.Entries.ToDictionary(e => e.Key, e => e.Value);
        entries[newest] = [.. entries[newest].Where(e => e.Neighbour != _idTable[_sleeper]), (_idTable[_sleeper], 500f)];
        _table = new CoOccurrenceFile.Table(idCount + 1, entries);
        CoOccurrenceFile.AddTo(boostedDirectory, _table.Bytes(), _table.Pairs, Weight, Recent, ServedTasks);
        _boosted = Service(boostedDirectory, snapshot);
        CoOccurrenceFile.AddTo(similarDirectory, _table.Bytes(), _table.Pairs, Weight, Recent, [.. ServedTasks, RecommendTasks.Similar]);
        _similar = Service(similarDirectory, snapshot);
        _stingy = Service(boostedDirectory, snapshot, new RecommendationOptions { OverFetchFactor = 1 });
    }

    public Task DisposeAsync()
    {
        foreach (var package in _packages) package.Dispose();
        foreach (var directory in _directories)
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var task in ServedTasks)
            foreach (var k in new[] { 3, 10, 20 })
                data.Add(task, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_served_top_k_is_the_brute_force_top_k_under_every_rule(string task, int k)
    {
        int[][] histories = [[1, 4], SleeperHistory, [0, 3, 5, 7, 11, 12, 16, 18, 22, 25], [6, 13, 6], [7, 19], []];
        BusinessRules?[] rules =
        [
            null, // the defaults: available only, seen left out
            NoRules,
            new(null, null, [Id(1), Id(2), _sleeper], null, null, null, null),
            new(null, true, null, ["Beauty>Hair"], null, null, 25),
            new(null, false, null, null, ["Beauty>Skin"], 10, null),
        ];
        foreach (var history in histories)
        {
            foreach (var rule in rules)
            {
                var request = Request(task, history, k, rule);
                var expected = await BruteForce(request);
                foreach (var service in new[] { _boosted, _stingy })
                {
                    var actual = await service.RecommendAsync(request, CancellationToken.None);
                    Assert.Equal(expected, actual.Items);
                }
            }
        }
    }

    [Fact]
    public async Task A_boosted_item_the_plain_scan_would_not_fetch_is_served()
    {
        var request = Request(RecommendTasks.NextItem, SleeperHistory, 3, null);

        var plain = await _plain.RecommendAsync(request with { K = 30 }, CancellationToken.None);
        var boosted = await _boosted.RecommendAsync(request, CancellationToken.None);

        Assert.Equal(_sleeper, plain.Items.Last(i => i.ItemId != "sku-7").ItemId);
        Assert.Contains(boosted.Items, i => i.ItemId == _sleeper);
        Assert.Equal(await BruteForce(request), boosted.Items);
    }

    [Fact]
    public async Task Unknown_history_ids_take_no_position()
    {
        // The service resolves history before the boost: "gone" is not an item, so sku-20 stays the newest.
        var request = Request(RecommendTasks.NextItem, SleeperHistory, 10, null);
        var withGone = request with { History = [.. request.History!, new HistoryEvent("gone", "view", null)] };

        var answer = await _boosted.RecommendAsync(withGone, CancellationToken.None);

        Assert.Equal(["gone"], answer.UnknownItems);
        Assert.Equal((await _boosted.RecommendAsync(request, CancellationToken.None)).Items, answer.Items);
        Assert.Contains(answer.Items, i => i.ItemId == _sleeper);
    }

    [Theory]
    [InlineData(RecommendTasks.Similar)]
    [InlineData(RecommendTasks.Category)]
    [InlineData(RecommendTasks.Search)]
    [InlineData(RecommendTasks.Explore)]
    public async Task Tasks_the_section_does_not_list_are_served_as_before(string task)
    {
        var request = Request(task, SleeperHistory, 10, null) with
        {
            Query = task == RecommendTasks.Search ? "a gentle face cream" : null,
            Category = task == RecommendTasks.Category ? "Beauty>Skin" : null,
        };

        var plain = await _plain.RecommendAsync(request, CancellationToken.None);
        var boosted = await _boosted.RecommendAsync(request, CancellationToken.None);

        Assert.NotEmpty(boosted.Items);
        Assert.Equal(plain.Items, boosted.Items);
    }

    [Fact]
    public async Task Similar_is_boosted_from_the_anchor_alone_when_the_section_lists_it()
    {
        // The anchor (the newest history item) lists the sleeper; the older history items' rows do not count.
        var request = Request(RecommendTasks.Similar, SleeperHistory, 10, null);

        var answer = await _similar.RecommendAsync(request, CancellationToken.None);

        Assert.Contains(answer.Items, i => i.ItemId == _sleeper);
        Assert.Equal(await BruteForce(request, [Id(SleeperHistory[^1])]), answer.Items);
        Assert.NotEqual(await BruteForce(request), answer.Items);
    }

    /// <summary>Score every item, add its boost, keep what the rules let through, sort, cut at k.</summary>
    /// <param name="boostedFrom">The history the boost reads; the request's history when null.</param>
    private async Task<List<RecommendedItem>> BruteForce(RecommendRequest request, IReadOnlyList<string>? boostedFrom = null)
    {
        // Every item with its model score, interest and reason: the same request to the model alone, no rule.
        var all = await _plain.RecommendAsync(request with { K = TinyModel.ItemCount, Rules = NoRules }, CancellationToken.None);
        Assert.Equal(TinyModel.ItemCount, all.Items.Count);
        var history = request.History!.Select(h => h.ItemId).Where(id => id.StartsWith("sku-", StringComparison.Ordinal)).ToList();
        var boosts = CoOccurrenceBoosts.Of(_table, _idTable, Weight, Recent, boostedFrom ?? history);
        var rules = request.Rules;
        bool Eligible(int row)
        {
            if ((rules?.AvailableOnly ?? true) && !Available(row)) return false;
            if ((rules?.ExcludeSeen ?? true) && history.Contains(Id(row))) return false;
            if (rules?.ExcludeIds is { } ids && ids.Contains(Id(row))) return false;
            if (rules?.Categories is { } allow && !allow.Contains(Category(row))) return false;
            if (rules?.ExcludeCategories is { } deny && deny.Contains(Category(row))) return false;
            if (rules?.PriceMin is { } min && !(Price(row) >= min)) return false;
            return rules?.PriceMax is not { } max || Price(row) <= max;
        }
        return all.Items
            .Where(i => Eligible(Row(i.ItemId)))
            .Select(i => i with { Score = (float)i.Score + boosts.GetValueOrDefault(i.ItemId) })
            .OrderByDescending(i => i.Score).ThenBy(i => Row(i.ItemId))
            .Take(request.K!.Value)
            .ToList();
    }

    private static RecommendRequest Request(string task, int[] history, int k, BusinessRules? rules) => new(
        "u-1", history.Select(i => new HistoryEvent(Id(i), i % 3 == 0 ? "purchase" : "view", null)).ToArray(), task, null, null, null, null, k, rules);

    private static int Row(string id) => int.Parse(id["sku-".Length..]);

    private string Copy()
    {
        var directory = CoOccurrenceFile.CopyPackage(model.Directory);
        _directories.Add(directory);
        return directory;
    }

    private RecommendationService Service(string directory, CardSnapshot snapshot, RecommendationOptions? options = null)
    {
        var package = ModelPackage.Load(directory, TinyModel.Session);
        _packages.Add(package);
        var text = new PromptTableEncoder(Path.Combine(model.Root, "features"));
        return new RecommendationService(ServingModel.Create(package, text), new FixedSnapshotSource(snapshot), options);
    }
}

using Urm.Core.Cards;
using Urm.Core.Models.Package;
using Urm.Core.Retrieval;
using Urm.Core.Serving;
using Urm.Core.Tests.Models;
using static Urm.Core.Tests.Serving.ServingCatalog;

namespace Urm.Core.Tests.Serving;

/// <summary>
/// Search served with the package's popularity prior (manifest search.popularity): every item's served
/// score is what the package without the prior serves plus β · ln(1 + n_i), n_i the count of the item's
/// own idTable row, β the weight for the request's case (with or without a history). Two catalog items
/// carry exactly the query's text, so the text term ties them and the prior decides; a card new since
/// training ("new-a") is a copy of the better-selling one, lent its ID, and must get no prior.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class SearchPopularityServingTests(TinyModel model) : IDisposable
{
    private const double TextWeight = 20;
    private const double Beta = 1.0;
    private const string Query = "words of the query";
    private static readonly BusinessRules NoRules = new(false, false, null, null, null, null, null);
    private static readonly int[] History = [2, 9, 14, 20];

    private readonly List<IDisposable> _packages = [];
    private readonly List<string> _directories = [];

    [Fact]
    public async Task Without_a_history_of_two_items_whose_text_matches_the_query_equally_the_one_with_more_training_events_ranks_first()
    {
        var snapshot = SnapshotWithText(withNewItem: false);
        var (first, second) = await ModelOrder(snapshot);
        var counts = Counts((first, 5), (second, 500));
        var textOnly = Service(Package(counts: null), snapshot);
        var prior = Service(Package(counts, weight: 0, weightWithoutHistory: Beta), snapshot);

        var answer = await prior.RecommendAsync(Request(2, history: false), CancellationToken.None);

        Assert.Equal([second, first], answer.Items.Select(i => i.ItemId));
        await AssertPriorAdded(textOnly, prior, Request(snapshot.Matrix.Count, history: false), counts, Beta);
    }

    [Fact]
    public async Task With_beta_0_for_the_requests_case_the_order_is_the_models()
    {
        var snapshot = SnapshotWithText(withNewItem: false);
        var (first, second) = await ModelOrder(snapshot);
        var counts = Counts((first, 5), (second, 500));
        var textOnly = Service(Package(counts: null), snapshot);
        // The prior only for searches with a history: one without is served as before, and the reverse.
        var withHistoryOnly = Service(Package(counts, weight: Beta, weightWithoutHistory: 0), snapshot);
        var withoutHistoryOnly = Service(Package(counts, weight: 0, weightWithoutHistory: Beta), snapshot);

        var plainAnswer = await textOnly.RecommendAsync(Request(10, history: false), CancellationToken.None);
        Assert.Equal([first, second], plainAnswer.Items.Take(2).Select(i => i.ItemId));
        Assert.Equal(plainAnswer.Items, (await withHistoryOnly.RecommendAsync(Request(10, history: false), CancellationToken.None)).Items);
        Assert.Equal((await textOnly.RecommendAsync(Request(10, history: true), CancellationToken.None)).Items,
            (await withoutHistoryOnly.RecommendAsync(Request(10, history: true), CancellationToken.None)).Items);
        await AssertPriorAdded(textOnly, withHistoryOnly, Request(snapshot.Matrix.Count, history: true), counts, Beta);
    }

    [Fact]
    public async Task An_item_not_in_the_id_table_gets_no_prior_even_when_its_card_borrows_a_lenders_id()
    {
        var snapshot = SnapshotWithText(withNewItem: true);
        var counts = Counts((Matching[0], 500), (Matching[1], 5));
        var textOnly = Service(Package(counts: null), snapshot);
        var prior = Service(Package(counts, weight: 0, weightWithoutHistory: Beta), snapshot);

        var all = await AssertPriorAdded(textOnly, prior, Request(snapshot.Matrix.Count, history: false), counts, Beta);

        // new-a is a copy of its lender's card and text: the model and the text score it the same, the prior does not.
        var lender = snapshot.Matrix.LenderOf(snapshot.Matrix.Count - 1)!;
        Assert.Equal(Matching[0], lender);
        Assert.Equal(all[lender] - Beta * Math.Log(501), all["new-a"], 2);
    }

    [Fact]
    public async Task The_prior_alone_is_served_with_no_text_weight_and_on_cards_without_text()
    {
        var counts = Counts();
        var plain = Package(counts: null, withSearch: false);
        var priorAlone = Package(counts, weight: Beta, weightWithoutHistory: Beta, textWeight: 0);
        var priorAndText = Package(counts, weight: Beta, weightWithoutHistory: Beta);
        foreach (var history in new[] { true, false })
        {
            var request = Request(TinyModel.ItemCount, history);
            await AssertPriorAdded(Service(plain, SnapshotWithText(false)), Service(priorAlone, SnapshotWithText(false)), request, counts, Beta);
            // Cards written before cards kept text: no text term, but the prior still applies.
            await AssertPriorAdded(Service(plain, Snapshot(model)), Service(priorAndText, Snapshot(model)), request, counts, Beta);
        }
    }

    public void Dispose()
    {
        foreach (var package in _packages) package.Dispose();
        foreach (var directory in _directories)
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }

    /// <summary>
    /// Every item's score from <paramref name="withPrior"/> is its score from <paramref name="without"/> plus
    /// β · ln(1 + n_i) (n_i by the item's own idTable row, else 0); returns the scores by item.
    /// </summary>
    private async Task<Dictionary<string, double>> AssertPriorAdded(
        RecommendationService without, RecommendationService withPrior, RecommendRequest request, float[] counts, double beta)
    {
        var before = (await without.RecommendAsync(request, CancellationToken.None)).Items.ToDictionary(i => i.ItemId, i => i.Score);
        var after = (await withPrior.RecommendAsync(request, CancellationToken.None)).Items.ToDictionary(i => i.ItemId, i => i.Score);
        Assert.Equal(request.K, after.Count);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        var idTable = model.Package.Manifest.IdTable;
        foreach (var (id, score) in after)
        {
            var n = idTable.TryGetValue(id, out var row) ? counts[row] : 0;
            Assert.True(Math.Abs(before[id] + beta * Math.Log(1 + n) - score) < 2e-3, $"{id}: served {score}, expected {before[id]} + {beta} · ln(1 + {n})");
        }
        return after;
    }

    /// <summary>The two items carrying the query's text, in the order the package without the prior serves them to a search without a history.</summary>
    private async Task<(string First, string Second)> ModelOrder(CardSnapshot snapshot)
    {
        var answer = await Service(Package(counts: null), snapshot).RecommendAsync(Request(2, history: false), CancellationToken.None);
        Assert.Equal(Matching.Order(), answer.Items.Select(i => i.ItemId).Order());
        return (answer.Items[0].ItemId, answer.Items[1].ItemId);
    }

    // Two items with an ID row each, to carry the query's text.
    private string[] Matching => model.Package.Manifest.IdTable.Keys.Order(StringComparer.Ordinal).Where((_, i) => i is 4 or 11).ToArray();

    /// <summary>Counts per idTable row: random whole numbers up to 20 (a few 0), <paramref name="set"/> as given.</summary>
    private float[] Counts(params (string Id, float Count)[] set)
    {
        var counts = PopularityFile.Random(model.Package.Sizes.IdCount, seed: 31).Select(c => MathF.Round(c / 10)).ToArray();
        foreach (var (id, count) in set) counts[model.Package.Manifest.IdTable[id]] = count;
        return counts;
    }

    // Unknown texts get a seeded unit vector each: the same text, the same vector.
    private PromptTableEncoder Encoder() => new(Path.Combine(model.Root, "features"));

    /// <summary>
    /// The catalog with text on every card ("words of sku-i", the query's own words on the two matching
    /// items) and, when asked, "new-a": the first matching item's card and text, with that item as its lender.
    /// </summary>
    private CardSnapshot SnapshotWithText(bool withNewItem)
    {
        var plain = Snapshot(model);
        var encoder = Encoder();
        var matching = Matching;
        var documents = plain.Documents.Select(d => d with
        {
            Text = CardText.Quantize(encoder.Encode([matching.Contains(d.Id) ? Query : $"words of {d.Id}"])[0]),
        }).ToList();
        if (!withNewItem) return new CardSnapshot(plain.Matrix, documents, plain.CatalogVersion, plain.ModelVersion);
        var lender = matching[0];
        var row = documents.FindIndex(d => d.Id == lender);
        documents.Add(documents[row] with { Id = "new-a", Lender = lender });
        var ids = plain.Matrix.Ids.Append("new-a").ToArray();
        var vectors = plain.Matrix.Vectors.Concat(plain.Matrix.Row(row).ToArray()).ToArray();
        var lenders = ids.Select(id => id == "new-a" ? lender : null).ToArray();
        return new CardSnapshot(new CardMatrix(ids, vectors, plain.Matrix.Dimension, lenders), documents, plain.CatalogVersion, plain.ModelVersion);
    }

    private string Package(float[]? counts, double weight = 0, double weightWithoutHistory = 0, double textWeight = TextWeight, bool withSearch = true)
    {
        var directory = CoOccurrenceFile.CopyPackage(model.Directory, "urm-search-popularity-model-");
        _directories.Add(directory);
        if (counts is not null) PopularityFile.AddTo(directory, PopularityFile.Bytes(counts), weight, weightWithoutHistory, textWeight, textWeight);
        else if (withSearch) PopularityFile.AddSearch(directory, textWeight, textWeight);
        else PopularityFile.AddSearchTask(directory);
        return directory;
    }

    private RecommendationService Service(string directory, CardSnapshot snapshot)
    {
        var package = ModelPackage.Load(directory, TinyModel.Session);
        _packages.Add(package);
        return new RecommendationService(ServingModel.Create(package, Encoder()), new FixedSnapshotSource(snapshot));
    }

    private static RecommendRequest Request(int k, bool history) => new(
        "u-1", history ? History.Select(i => new HistoryEvent(Id(i), "view", null)).ToArray() : [], RecommendTasks.Search, null, Query, null, null, k, NoRules);
}

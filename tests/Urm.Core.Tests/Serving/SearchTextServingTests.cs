using System.Text.Json.Nodes;
using Urm.Core.Cards;
using Urm.Core.Models.Package;
using Urm.Core.Prompts;
using Urm.Core.Serving;
using Urm.Core.Tests.Models;
using static Urm.Core.Tests.Serving.ServingCatalog;

namespace Urm.Core.Tests.Serving;

/// <summary>
/// Search served with the package's text term (manifest search): every item's served score is its model
/// score plus weight × the cosine of the query as typed and the item's text as its card keeps it, checked
/// against brute force. Each item's text here is what the test encoder gives "words of sku-i", so the
/// query "words of sku-16" matches sku-16's text and no other. With the package's query map the cosine is
/// the mapped query's, normalize(q A): a map that sends the query to sku-5's text finds sku-5 instead.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class SearchTextServingTests(TinyModel model) : IDisposable
{
    private const double Weight = 3.0;
    private const string Query = "words of sku-16";
    private static readonly BusinessRules NoRules = new(false, false, null, null, null, null, null);
    private static readonly int[] History = [2, 9, 14, 20];

    private readonly List<IDisposable> _packages = [];
    private readonly List<string> _directories = [];

    [Fact]
    public async Task The_served_answer_is_the_model_score_plus_the_weighted_text_cosine_and_finds_the_matching_item()
    {
        var snapshot = SnapshotWithText();
        var plain = Service(Package(withSection: false), snapshot);
        var withText = Service(Package(withSection: true), snapshot);

        foreach (var rules in new BusinessRules?[] { null, NoRules, new(null, true, null, ["Beauty>Hair", "Beauty>Nails"], null, null, null) })
        {
            var request = Request(5, rules);
            var answer = await withText.RecommendAsync(request, CancellationToken.None);

            Assert.Equal(await BruteForce(plain, snapshot, request), answer.Items.Select(i => (i.ItemId, Math.Round(i.Score, 4))).ToList());
            Assert.Equal("sku-16", answer.Items[0].ItemId);
        }
        var before = await plain.RecommendAsync(Request(5, null), CancellationToken.None);
        Assert.NotEqual("sku-16", before.Items[0].ItemId);
    }

    [Fact]
    public async Task With_a_query_map_the_text_term_compares_the_mapped_query_and_finds_the_item_the_map_sends_it_to()
    {
        var snapshot = SnapshotWithText();
        var typed = Encoder().Encode([Query])[0];
        var sku5 = snapshot.Documents[5].Text!.Select(x => x / CardText.Scale).ToArray();
        // A = q t_5ᵀ: q A = |q|² t_5, so the mapped query is t_5 / |t_5|; its transpose would send q back to ±q.
        var map = QueryMapFile.Outer(typed, sku5);
        var plain = Service(Package(withSection: false), snapshot);
        var unmapped = Service(Package(withSection: true), snapshot);
        var mapped = Service(Package(withSection: true, queryMap: QueryMapFile.Bytes(map)), snapshot);
        var norm = Math.Sqrt(sku5.Sum(x => (double)x * x));
        var expectedQuery = sku5.Select(x => (float)(x / norm)).ToArray();

        foreach (var rules in new BusinessRules?[] { null, NoRules })
        {
            var request = Request(5, rules);
            var answer = await mapped.RecommendAsync(request, CancellationToken.None);

            Assert.Equal(await BruteForce(plain, snapshot, request, expectedQuery), answer.Items.Select(i => (i.ItemId, Math.Round(i.Score, 4))).ToList());
            Assert.Equal("sku-5", answer.Items[0].ItemId);
            Assert.Equal("sku-16", (await unmapped.RecommendAsync(request, CancellationToken.None)).Items[0].ItemId);
        }
    }

    [Fact]
    public async Task Without_the_section_or_without_card_text_search_is_the_model_score_alone()
    {
        var request = Request(10, null);
        var plainAnswer = await Service(Package(withSection: false), SnapshotWithText()).RecommendAsync(request, CancellationToken.None);
        var noCardText = await Service(Package(withSection: true), Snapshot(model)).RecommendAsync(request, CancellationToken.None);

        Assert.Equal(plainAnswer.Items, noCardText.Items);
    }

    [Fact]
    public void A_search_section_with_a_weight_that_is_not_above_zero_is_refused_on_load()
    {
        var directory = Package(withSection: true, weight: 0);
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(directory, TinyModel.Session));
        Assert.Contains("search.textWeight", error.Message);
    }

    public void Dispose()
    {
        foreach (var package in _packages) package.Dispose();
        foreach (var directory in _directories)
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }

    /// <summary>Every item's plain search score (the model alone, all 30, no rule) plus its text term; the rules by hand; sorted; cut at k.</summary>
    private async Task<List<(string, double)>> BruteForce(RecommendationService plain, CardSnapshot snapshot, RecommendRequest request, float[]? query = null)
    {
        var all = await plain.RecommendAsync(request with { K = TinyModel.ItemCount, Rules = NoRules }, CancellationToken.None);
        query ??= Encoder().Encode([Query])[0];
        var rules = request.Rules;
        var seen = History.Select(Id).ToHashSet();
        bool Eligible(int row) =>
            (!(rules?.AvailableOnly ?? true) || Available(row)) && (!(rules?.ExcludeSeen ?? true) || !seen.Contains(Id(row))) &&
            (rules?.Categories is not { } allow || allow.Contains(Category(row)));
        return all.Items
            .Select(i => (i.ItemId, Row: int.Parse(i.ItemId["sku-".Length..]), Score: i.Score + Weight * Cosine(query, snapshot.Documents[int.Parse(i.ItemId["sku-".Length..])].Text!)))
            .Where(i => Eligible(i.Row))
            .OrderByDescending(i => i.Score).ThenBy(i => i.Row)
            .Take(request.K!.Value)
            .Select(i => (i.ItemId, Math.Round(i.Score, 4)))
            .ToList();
    }

    // Unknown texts get a seeded unit vector each: the same text, the same vector.
    private PromptTableEncoder Encoder() => new(Path.Combine(model.Root, "features"));

    private static double Cosine(float[] query, sbyte[] text) => query.Select((q, i) => (double)q * text[i] / CardText.Scale).Sum();

    private CardSnapshot SnapshotWithText()
    {
        var plain = Snapshot(model);
        var encoder = Encoder();
        var documents = plain.Documents.Select((d, i) => d with { Text = CardText.Quantize(encoder.Encode([$"words of sku-{i}"])[0]) }).ToArray();
        return new CardSnapshot(plain.Matrix, documents, plain.CatalogVersion, plain.ModelVersion);
    }

    private string Package(bool withSection, double weight = Weight, byte[]? queryMap = null)
    {
        var directory = CoOccurrenceFile.CopyPackage(model.Directory, "urm-search-text-model-");
        _directories.Add(directory);
        CoOccurrenceFile.EditManifest(directory, m =>
        {
            // The tiny model is not trained on search; the served search reads the template instruction.
            var prompts = m["prompts"]!.AsArray();
            if (!prompts.Any(p => p!["key"]!.GetValue<string>() == "task:search"))
                prompts.Add(new JsonObject { ["key"] = "task:search", ["text"] = PromptTemplates.Tasks["search"] });
            m["tasks"]!.AsObject()["search"] = "task:search";
            if (withSection) m["search"] = new JsonObject { ["textWeight"] = weight, ["textModel"] = SearchSection.ServedTextModel };
        });
        if (queryMap is not null) QueryMapFile.AddTo(directory, queryMap);
        return directory;
    }

    private RecommendationService Service(string directory, CardSnapshot snapshot)
    {
        var package = ModelPackage.Load(directory, TinyModel.Session);
        _packages.Add(package);
        var text = new PromptTableEncoder(Path.Combine(model.Root, "features"));
        return new RecommendationService(ServingModel.Create(package, text), new FixedSnapshotSource(snapshot));
    }

    private static RecommendRequest Request(int k, BusinessRules? rules) => new(
        "u-1", History.Select(i => new HistoryEvent(Id(i), "view", null)).ToArray(), RecommendTasks.Search, null, Query, null, null, k, rules);
}

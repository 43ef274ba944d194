using System.Text.Json;
using Urm.Core.Catalog;
using Urm.Core.Events;
using Urm.Core.Models.Package;
using Urm.Core.Prompts;
using Urm.Core.Serving;
using Urm.Core.Tests.Models;
using Urm.Offline.Evaluation;
using Urm.Offline.FeatureFiles;

namespace Urm.Offline.Tests.Evaluation;

/// <summary>
/// urm evaluate --task search on copies of the tiny package with the search text term, one with the
/// popularity prior too: "model" (with the history) and "model-query-alone" (without) rank by the served
/// score with the prior's weight for their case, "model-alone" without text or prior, and the reports
/// state the prior's weights. The counts make ln(1 + n) of sku-i equal i + 1, and the weight that applies
/// is 1,000, so the prior alone decides the served rank: the items with a higher number rank above.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class OfflineEvaluatorSearchPopularityTests(TinyModel model) : IDisposable
{
    private const double TextWeight = 2;
    private const double Dominant = 1000;
    private readonly List<IDisposable> _packages = [];
    private readonly List<string> _directories = [];

    private string FeaturesDir => Path.Combine(model.Root, "features");
    private IReadOnlyDictionary<string, int> IdTable => model.Package.Manifest.IdTable;

    public void Dispose()
    {
        foreach (var package in _packages) package.Dispose();
        foreach (var directory in _directories)
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData(Dominant, 0)]
    [InlineData(0, Dominant)]
    public void Model_and_model_query_alone_rank_by_the_served_score_with_the_prior_for_their_case(double weight, double weightWithoutHistory)
    {
        var textOnly = Evaluate(Package(prior: false));
        var withPrior = Evaluate(Package(prior: true, weight, weightWithoutHistory));

        var byPrior = PriorRanks();
        Assert.InRange(byPrior.Users, 1, int.MaxValue);
        // The served score with the prior's weight for the case, the text term's as before.
        var (dominated, asBefore) = weight > 0
            ? (EvaluationResult.ModelMethod, EvaluationResult.ModelQueryAloneMethod)
            : (EvaluationResult.ModelQueryAloneMethod, EvaluationResult.ModelMethod);
        Assert.Equal(byPrior.AtK, withPrior.Of(dominated).AtK);
        Assert.NotEqual(textOnly.Of(dominated).AtK, withPrior.Of(dominated).AtK);
        Assert.Equal(textOnly.Of(asBefore).AtK, withPrior.Of(asBefore).AtK);
        // model-alone is the model's score, without the text term or the prior.
        Assert.Equal(textOnly.Of(EvaluationResult.ModelAloneMethod).AtK, withPrior.Of(EvaluationResult.ModelAloneMethod).AtK);

        var json = JsonDocument.Parse(EvaluationReportWriter.Json(withPrior)).RootElement.GetProperty("search");
        Assert.Equal(weight, json.GetProperty("popularityWeight").GetDouble());
        Assert.Equal(weightWithoutHistory, json.GetProperty("popularityWeightWithoutHistory").GetDouble());
        Assert.Equal(TextWeight, json.GetProperty("textWeight").GetDouble());
        var plainJson = JsonDocument.Parse(EvaluationReportWriter.Json(textOnly)).RootElement.GetProperty("search");
        Assert.Equal(0, plainJson.GetProperty("popularityWeight").GetDouble());
        Assert.Contains("w · <q, t_i> + β · ln(1 + n_i)", withPrior.Protocol);
        Assert.Contains($"β = {weight:G6} with a history, {weightWithoutHistory:G6} without", withPrior.Protocol);
        Assert.DoesNotContain("β", textOnly.Protocol);
        Assert.Contains("without the text term or the prior", EvaluationReportWriter.Markdown(withPrior, []));
    }

    /// <summary>
    /// The ranks the prior alone gives the evaluator's search cases (every target has a query and an ID
    /// row): the items whose ln(1 + n) = number + 1 is above the target's, none excluded.
    /// </summary>
    private RankSummary PriorRanks()
    {
        var items = FeatureDirectoryReader.Read(FeaturesDir);
        var rowOf = Enumerable.Range(0, items.Count).ToDictionary(i => items[i].Id, StringComparer.Ordinal);
        var split = LeaveOneOut.Split(Events(), rowOf, new HashSet<int>());
        var cases = EvaluationTasks.Cases(RecommendTasks.Search, split.Test, null, excludeSeen: false, Queries().Texts);
        var numbered = IdTable.Keys.Select(Number).ToList();
        var ranks = cases.Select(c => numbered.Count(n => n > Number(items[c.Target].Id))).ToList();
        return RankingMetrics.Summarize(ranks, RankingMetrics.DefaultKs);
    }

    private static int Number(string id) => int.Parse(id["sku-".Length..]);

    private EvaluationResult Evaluate(ModelPackage package)
    {
        var items = FeatureDirectoryReader.Read(FeaturesDir);
        var prompts = new PromptEncoder(package.Manifest, new PromptTableEncoder(FeaturesDir));
        return OfflineEvaluator.Evaluate(package, items, FeatureDirectoryReader.ReadCategories(FeaturesDir), Events(), prompts,
            new EvaluationOptions(MaxDegreeOfParallelism: 1, Task: RecommendTasks.Search) { SearchQueries = Queries() }, null, CancellationToken.None);
    }

    /// <summary>A query for every item with an ID row (so the prior can rank every target), none for the rest.</summary>
    private SearchEvaluationQueries Queries()
    {
        var items = FeatureDirectoryReader.Read(FeaturesDir);
        var texts = items.Select(i => IdTable.ContainsKey(i.Id) ? $"something like {i.Id}" : null).ToArray();
        var encoder = new PromptTableEncoder(FeaturesDir);
        return new SearchEvaluationQueries(texts, texts.Select(t => t is null ? null : encoder.Encode([t])[0]).ToArray());
    }

    private ModelPackage Package(bool prior, double weight = 0, double weightWithoutHistory = 0)
    {
        var directory = CoOccurrenceFile.CopyPackage(model.Directory, "urm-evaluate-popularity-model-");
        _directories.Add(directory);
        if (prior)
        {
            var counts = new float[model.Package.Sizes.IdCount + 1];
            foreach (var (id, row) in IdTable) counts[row] = (float)(Math.Exp(Number(id) + 1) - 1);
            PopularityFile.AddTo(directory, PopularityFile.Bytes(counts), weight, weightWithoutHistory, TextWeight, TextWeight);
        }
        else PopularityFile.AddSearch(directory, TextWeight, TextWeight);
        var package = ModelPackage.Load(directory, TinyModel.Session);
        _packages.Add(package);
        return package;
    }

    private List<UserEvent> Events()
        => EventReader.ReadAsync(Path.Combine(model.Root, "events.csv"), new ReadReport(), CancellationToken.None).ToBlockingEnumerable().ToList();
}

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
/// urm evaluate --task search on copies of the tiny package with a dominant search text weight, one with a
/// query map A = -I: each case's query vector is minus its target's text, so the query as typed puts the
/// target last by text and the mapped query, normalize(-q), first. "model" and "model-query-alone" read the
/// mapped query as serving does; the text-cosine baselines keep the query as typed.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class OfflineEvaluatorSearchQueryMapTests(TinyModel model) : IDisposable
{
    private const double Dominant = 1000;
    private readonly List<IDisposable> _packages = [];
    private readonly List<string> _directories = [];

    private string FeaturesDir => Path.Combine(model.Root, "features");

    public void Dispose()
    {
        foreach (var package in _packages) package.Dispose();
        foreach (var directory in _directories)
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void The_model_ranks_by_the_mapped_query_and_the_text_cosine_baselines_by_the_typed_one()
    {
        var typed = Evaluate(Package(withMap: false));
        var mapped = Evaluate(Package(withMap: true));

        foreach (var method in new[] { EvaluationResult.ModelMethod, EvaluationResult.ModelQueryAloneMethod })
        {
            // The mapped query is the target's own text: every target first.
            Assert.All(mapped.Of(method).AtK, m => Assert.Equal((1.0, 1.0), (m.HitRate, Math.Round(m.Ndcg, 9))));
            // The typed query is its opposite: every target last of the 30, outside the top 20.
            Assert.All(typed.Of(method).AtK, m => Assert.Equal(0.0, m.HitRate));
        }
        foreach (var baseline in new[] { ContentBaseline.QueryName, ContentBaseline.QueryPopularityName })
            Assert.Equal(typed.Of(baseline).AtK, mapped.Of(baseline).AtK);
        Assert.All(mapped.Of(ContentBaseline.QueryName).AtK, m => Assert.Equal(0.0, m.HitRate));
        // model-alone has no text term, so no query either.
        Assert.Equal(typed.Of(EvaluationResult.ModelAloneMethod).AtK, mapped.Of(EvaluationResult.ModelAloneMethod).AtK);

        Assert.Contains($"mapped by the package's {QueryMapFile.Name} (q' = normalize(q A)), learned on the training queries", mapped.Protocol);
        Assert.DoesNotContain(QueryMapFile.Name, typed.Protocol);
    }

    private EvaluationResult Evaluate(ModelPackage package)
    {
        var items = FeatureDirectoryReader.Read(FeaturesDir);
        var prompts = new PromptEncoder(package.Manifest, new PromptTableEncoder(FeaturesDir));
        // Every item a query, its vector minus the item's text (unit, as the encoder gives).
        var queries = new SearchEvaluationQueries(
            items.Select(i => (string?)$"something like {i.Id}").ToArray(),
            items.Select(i => (float[]?)i.Text.Select(x => -x).ToArray()).ToArray());
        return OfflineEvaluator.Evaluate(package, items, FeatureDirectoryReader.ReadCategories(FeaturesDir), Events(), prompts,
            new EvaluationOptions(MaxDegreeOfParallelism: 1, Task: RecommendTasks.Search) { SearchQueries = queries }, null, CancellationToken.None);
    }

    private ModelPackage Package(bool withMap)
    {
        var directory = CoOccurrenceFile.CopyPackage(model.Directory, "urm-evaluate-query-map-model-");
        _directories.Add(directory);
        PopularityFile.AddSearch(directory, Dominant, Dominant);
        if (withMap)
        {
            var dim = model.Package.Sizes.TextDim;
            var minusIdentity = new float[dim * dim];
            for (var r = 0; r < dim; r++) minusIdentity[r * dim + r] = -1;
            QueryMapFile.AddTo(directory, QueryMapFile.Bytes(minusIdentity));
        }
        var package = ModelPackage.Load(directory, TinyModel.Session);
        _packages.Add(package);
        return package;
    }

    private List<UserEvent> Events()
        => EventReader.ReadAsync(Path.Combine(model.Root, "events.csv"), new ReadReport(), CancellationToken.None).ToBlockingEnumerable().ToList();
}

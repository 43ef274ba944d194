using System.Text.Json;
using Urm.Core.Catalog;
using Urm.Core.Events;
using Urm.Core.Models.Runtime;
using Urm.Core.Prompts;
using Urm.Core.Tests.Models;
using Urm.Offline.Evaluation;
using Urm.Offline.FeatureFiles;

namespace Urm.Offline.Tests.Evaluation;

/// <summary>
/// The key proof that serving equals training: C# evaluation through CardFuser, UserEncoder and the
/// max-inner-product score reproduces the trainer's own figures in the manifest, on the same split.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class OfflineEvaluatorTests(TinyModel model)
{
    // Identical ranks give identical means; the slack only absorbs float summation order.
    private const double Tolerance = 1e-9;

    private string FeaturesDir => Path.Combine(model.Root, "features");

    private async Task<EvaluationResult> EvaluateAsync(EvaluationSplit split, bool excludeSeen = false)
    {
        var items = FeatureDirectoryReader.Read(FeaturesDir);
        var prompts = new PromptEncoder(model.Package.Manifest, new PromptTableEncoder(FeaturesDir));
        var events = EventReader.ReadAsync(Path.Combine(model.Root, "events.csv"), new ReadReport(), CancellationToken.None);
        return await OfflineEvaluator.RunAsync(model.Package, items, events, prompts, new EvaluationOptions(split, MaxDegreeOfParallelism: 1, ExcludeSeen: excludeSeen), null, CancellationToken.None);
    }

    [Fact]
    public async Task Excluding_seen_items_never_lowers_a_method_and_says_so()
    {
        var all = await EvaluateAsync(EvaluationSplit.Test);
        var unseen = await EvaluateAsync(EvaluationSplit.Test, excludeSeen: true);

        Assert.True(unseen.ExcludeSeen);
        Assert.Contains("except the user's earlier items", unseen.Protocol);
        Assert.Null(unseen.TrainerMetrics); // the trainer's headline figures rank everything
        foreach (var method in all.Overall.Select(m => m.Method))
            foreach (var k in all.Ks)
                Assert.True(unseen.Of(method).HitRate(k) >= all.Of(method).HitRate(k), $"{method} HR@{k}");
        // Some history item outranked some target in this data, so the exclusion changed something.
        Assert.Contains(all.Overall, m => unseen.Of(m.Method).HitRate(10) > all.Of(m.Method).HitRate(10) || unseen.Of(m.Method).Ndcg(10) > all.Of(m.Method).Ndcg(10));
    }

    [Theory]
    [InlineData(EvaluationSplit.Test, "test")]
    [InlineData(EvaluationSplit.Validation, "validation")]
    public async Task Reproduces_the_trainers_metrics(EvaluationSplit split, string key)
    {
        var result = await EvaluateAsync(split);

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(model.Directory, "manifest.json")));
        var expected = manifest.RootElement.GetProperty("metrics").GetProperty(key);
        var actual = result.Of(EvaluationResult.ModelMethod);
        Assert.Equal(expected.GetProperty("users").GetInt32(), result.Users);
        foreach (var k in new[] { 5, 10 })
        {
            Assert.Equal(expected.GetProperty($"HR@{k}").GetDouble(), actual.HitRate(k), Tolerance);
            Assert.Equal(expected.GetProperty($"NDCG@{k}").GetDouble(), actual.Ndcg(k), Tolerance);
        }
        if (expected.TryGetProperty("cold", out var cold))
        {
            var segment = result.Segments.Single(s => s.Dimension == "target" && s.Segment == "cold");
            Assert.Equal(cold.GetProperty("users").GetInt32(), segment.Users);
            Assert.Equal(cold.GetProperty("HR@10").GetDouble(), segment.Of(EvaluationResult.ModelMethod).HitRate(10), Tolerance);
        }
    }

    [Fact]
    public async Task Reports_baselines_and_segments_over_the_same_users()
    {
        var result = await EvaluateAsync(EvaluationSplit.Test);

        // model-alone only where the package's served next-item score adds a co-occurrence term.
        string[] models = model.Package.CoOccurrence?.AppliesTo("next-item") == true ? ["model", "model-alone"] : ["model"];
        Assert.Equal([.. models, "popularity", "co-occurrence", "content"], result.Overall.Select(m => m.Method));
        Assert.Equal("next-item", result.Task);
        Assert.DoesNotContain(result.Segments, s => s.Segment == OfflineEvaluator.NewSegment); // the manifest lists no new items
        Assert.All(result.Overall, m => Assert.Equal(result.Users, m.Metrics.Users));
        Assert.Equal([5, 10, 20], result.Ks);
        Assert.Equal(TinyModel.ItemCount, result.Items);
        Assert.Equal(result.Users, result.Segments.Where(s => s.Dimension == "target").Sum(s => s.Users));
        Assert.Equal(result.Users, result.Segments.Where(s => s.Dimension == "history length").Sum(s => s.Users));
        Assert.Equal(TinyModel.ItemCount - model.Package.Manifest.IdTable.Count, result.ColdItems);
        Assert.All(result.Overall, m => Assert.InRange(m.Metrics.HitRate(20), m.Metrics.HitRate(10), 1.0));
    }

    [Fact]
    public void Features_read_back_from_the_directory_are_what_training_read()
    {
        var items = FeatureDirectoryReader.Read(FeaturesDir);

        Assert.Equal(model.Items.Count, items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            Assert.Equal(model.Items[i].Id, items[i].Id);
            Assert.Equal(model.Items[i].Text, items[i].Text);
            Assert.Equal(model.Items[i].Image, items[i].Image);
            Assert.Equal(model.Items[i].AttributeTokens, items[i].AttributeTokens);
            Assert.Equal(model.Items[i].PriceBucket, items[i].PriceBucket);
        }
    }

    [Fact]
    public void Prompts_mirror_the_trainer_and_embed_once_per_key()
    {
        var text = new PromptTableEncoder(FeaturesDir);
        var prompts = new PromptEncoder(model.Package.Manifest, text);
        var dim = model.Package.Sizes.TextDim;

        Assert.Equal(["task:next-item"], prompts.Keys("next-item"));
        Assert.Equal(["task:category", "category:Beauty>Hair"], prompts.Keys("category", category: "Beauty>Hair"));
        Assert.Equal(dim, prompts.Encode("next-item").Length);
        Assert.Equal(2 * dim, prompts.Encode("category", "Beauty>Hair").Length);
        prompts.Encode("next-item");
        Assert.Equal(["text of task:next-item", "text of task:category", "text of category:Beauty>Hair"], text.Encoded);

        // A category the model never saw is embedded from the template text.
        prompts.Encode("category", "Beauty>New");
        Assert.Equal(PromptTemplates.CategoryText("Beauty>New"), text.Encoded[^1]);
        Assert.Throws<ArgumentException>(() => prompts.Encode("category"));
        Assert.Throws<ArgumentException>(() => prompts.Encode("no-such-task"));
    }
}

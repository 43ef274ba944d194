using System.Text.Json.Nodes;
using Urm.Core.Catalog;
using Urm.Core.Events;
using Urm.Core.Models.Package;
using Urm.Core.Prompts;
using Urm.Core.Tests.Models;
using Urm.Offline.Evaluation;
using Urm.Offline.FeatureFiles;

namespace Urm.Offline.Tests.Evaluation;

/// <summary>
/// The tasks other than next-item and the new-items segment, through the whole evaluator on the tiny
/// model: 30 items in three categories of ten, twelve users, every fourth event a purchase.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class OfflineEvaluatorTaskTests(TinyModel model) : IDisposable
{
    private readonly List<string> _copies = [];

    private string FeaturesDir => Path.Combine(model.Root, "features");

    public void Dispose()
    {
        foreach (var copy in _copies)
            try { Directory.Delete(copy, recursive: true); } catch (IOException) { }
    }

    private EvaluationResult Evaluate(string task, bool excludeSeen = false, ModelPackage? package = null)
    {
        package ??= model.Package;
        var items = FeatureDirectoryReader.Read(FeaturesDir);
        var categories = FeatureDirectoryReader.ReadCategories(FeaturesDir);
        var prompts = new PromptEncoder(package.Manifest, new PromptTableEncoder(FeaturesDir));
        return OfflineEvaluator.Evaluate(package, items, categories, Events(), prompts,
            new EvaluationOptions(MaxDegreeOfParallelism: 1, ExcludeSeen: excludeSeen, Task: task), null, CancellationToken.None);
    }

    private List<UserEvent> Events()
    {
        var list = new List<UserEvent>();
        var report = new ReadReport();
        foreach (var e in EventReader.ReadAsync(Path.Combine(model.Root, "events.csv"), report, CancellationToken.None).ToBlockingEnumerable()) list.Add(e);
        return list;
    }

    /// <summary>Each evaluated user's (test target, its event, the newest item before it), read straight from the events.</summary>
    private List<(string Item, EventType Type, string Anchor)> TestTargets()
        => Events().GroupBy(e => e.UserId).Where(g => g.Count() >= LeaveOneOut.MinEvents)
            .Select(g => g.OrderBy(e => e.Timestamp).ToList())
            .Select(l => (l[^1].ItemId, l[^1].Type, l[^2].ItemId)).ToList();

    [Fact]
    public void Next_purchase_measures_the_purchase_targets_only()
    {
        var expected = TestTargets().Count(t => t.Type == EventType.Purchase);
        Assert.InRange(expected, 1, TestTargets().Count - 1); // the data has both kinds

        var result = Evaluate("next-purchase");

        Assert.Equal("next-purchase", result.Task);
        Assert.Equal(expected, result.Users);
        Assert.All(result.Overall, m => Assert.Equal(expected, m.Metrics.Users));
        Assert.Null(result.TrainerMetrics); // the manifest's figures are next-item
        Assert.Contains("[task:next-purchase]", result.Protocol);
    }

    [Fact]
    public void Similar_measures_targets_other_than_the_anchor_and_exclude_seen_changes_nothing()
    {
        var expected = TestTargets().Count(t => t.Item != t.Anchor);

        var result = Evaluate("similar");
        var seen = Evaluate("similar", excludeSeen: true);

        Assert.Equal(expected, result.Users);
        Assert.Contains("[task:similar]", result.Protocol);
        Assert.Contains("except the anchor", result.Protocol);
        // The anchor is left out either way, and it is all a similar case has seen.
        foreach (var method in result.Overall.Select(m => m.Method))
            Assert.Equal(result.Of(method).AtK, seen.Of(method).AtK);
        // History-length segments still count the user's events before the target, not the one item read.
        Assert.Contains(result.Segments, s => s.Dimension == "history length" && s.Segment != "1-4");
    }

    [Fact]
    public void Category_ranks_every_method_within_the_targets_category()
    {
        var result = Evaluate("category");

        Assert.Equal(TestTargets().Count, result.Users); // every tiny item has a category
        Assert.Contains("[task:category, category:", result.Protocol);
        // Ten items per category: within it no target ranks below 9th, for any method; over the catalog
        // (next-item) some do.
        Assert.All(result.Overall, m => Assert.Equal(1.0, m.Metrics.HitRate(10)));
        Assert.Contains(Evaluate("next-item").Overall, m => m.Metrics.HitRate(10) < 1.0);
    }

    [Fact]
    public void A_task_the_model_was_not_trained_on_is_refused()
    {
        using var package = Copy(m =>
        {
            m["tasks"]!.AsObject().Remove("similar");
            // The co-occurrence term may list it too (only trained tasks may be listed there).
            if (m["cooccurrence"]?["tasks"] is JsonArray served && served.FirstOrDefault(t => (string?)t == "similar") is { } similar)
                served.Remove(similar);
        });
        var e = Assert.Throws<ArgumentException>(() => Evaluate("similar", package: package));
        Assert.Contains("not trained on the 'similar' task", e.Message);
    }

    [Fact]
    public void New_items_get_their_own_segment_over_exactly_the_users_whose_target_is_new()
    {
        // The tiny model saw every item in training, so two test targets are made new by hand: each loses
        // its ID embedding (its idTable index goes to an id outside the catalog, which keeps the table's
        // size) and is listed in newItems, as the trainer's held-out items are.
        var targets = TestTargets();
        var fresh = targets.Select(t => t.Item).Distinct().Take(2).ToList();
        using var package = Copy(m =>
        {
            var idTable = m["idTable"]!.AsObject();
            foreach (var id in fresh)
            {
                var index = idTable[id]!.GetValue<int>();
                idTable.Remove(id);
                idTable["not-in-the-catalog-" + id] = index;
            }
            m["newItems"] = new JsonArray(fresh.Select(id => (JsonNode)JsonValue.Create(id)).ToArray());
        });

        var result = Evaluate("next-item", package: package);

        var segment = Assert.Single(result.Segments, s => s is { Dimension: "target", Segment: OfflineEvaluator.NewSegment });
        var expected = targets.Count(t => fresh.Contains(t.Item));
        Assert.InRange(expected, 1, targets.Count - 1);
        Assert.Equal(expected, segment.Users);
        Assert.All(segment.Methods, m => Assert.Equal(expected, m.Metrics.Users));
        Assert.Equal(fresh.Count, result.NewItems);
        // Their events left the baselines' training data: neither has anything on them, so every other
        // item (28, all trained) ranks above them.
        Assert.Equal(0.0, segment.Of(PopularityBaseline.Name).HitRate(20));
        Assert.Equal(0.0, segment.Of(CoOccurrenceBaseline.Name).HitRate(20));
        // New items are cold too; the cold/warm split still covers every user once.
        Assert.Equal(expected, result.Segments.Single(s => s is { Dimension: "target", Segment: "cold" }).Users);
        Assert.Equal(result.Users, result.Segments.Where(s => s.Dimension == "target" && s.Segment != OfflineEvaluator.NewSegment).Sum(s => s.Users));
        Assert.Contains("lists as new", result.Protocol);
        var json = System.Text.Json.JsonDocument.Parse(EvaluationReportWriter.Json(result)).RootElement;
        Assert.Equal(fresh.Count, json.GetProperty("newItems").GetInt32());
        Assert.Contains(json.GetProperty("segments").EnumerateArray(), s => s.GetProperty("segment").GetString() == "new");
    }

    private ModelPackage Copy(Action<JsonNode> edit)
    {
        var copy = CoOccurrenceFile.CopyPackage(model.Directory, "urm-task-model-");
        _copies.Add(copy);
        var path = Path.Combine(copy, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
        return ModelPackage.Load(copy, TinyModel.Session);
    }
}

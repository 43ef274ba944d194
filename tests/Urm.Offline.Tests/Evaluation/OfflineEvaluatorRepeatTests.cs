using System.Text.Json;
using Urm.Core.Catalog;
using Urm.Core.Events;
using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;
using Urm.Core.Prompts;
using Urm.Core.Retrieval;
using Urm.Core.Tests.Models;
using Urm.Offline.Evaluation;
using Urm.Offline.FeatureFiles;

namespace Urm.Offline.Tests.Evaluation;

/// <summary>
/// urm evaluate on copies of the tiny package with the model's repeat term: it is part of the model's
/// score, so "model" includes it (checked against brute force through the same encoders), and beside a
/// co-occurrence table "model-alone" includes it too (the model's score, repeat term and all, without the
/// boost); metrics.json carries the section as evaluated.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class OfflineEvaluatorRepeatTests : IDisposable
{
    private const double Weight = 0.6;
    private const int Recent = 3;
    private static readonly string[] ServedTasks = ["next-item", "next-purchase"];
    private static readonly int[] Starts = [0, 1, 3];

    private readonly TinyModel _model;
    private readonly List<string> _directories = [];
    private readonly Dictionary<string, float[]> _byEvent;
    private readonly CoOccurrenceFile.Table _table;
    private readonly ModelPackage _plain;
    private readonly ModelPackage _repeat;
    private readonly ModelPackage _both;

    public OfflineEvaluatorRepeatTests(TinyModel model)
    {
        _model = model;
        // Large enough against scores of unit vectors that seen items move across the target.
        _byEvent = RepeatManifest.Random(seed: 51, Starts.Length, scale: 1.5);
        _table = CoOccurrenceFile.Random(model.Package.Sizes.IdCount, seed: 52, perItem: 6);
        _plain = ModelPackage.Load(Copy(repeat: false, coOccurrence: false), TinyModel.Session);
        _repeat = ModelPackage.Load(Copy(repeat: true, coOccurrence: false), TinyModel.Session);
        _both = ModelPackage.Load(Copy(repeat: true, coOccurrence: true), TinyModel.Session);
    }

    private string FeaturesDir => Path.Combine(_model.Root, "features");

    public void Dispose()
    {
        _plain.Dispose();
        _repeat.Dispose();
        _both.Dispose();
        foreach (var directory in _directories)
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("next-item")]
    [InlineData("next-purchase")]
    public void Model_includes_the_repeat_term(string task)
    {
        var plain = Evaluate(_plain, task, excludeSeen: false);
        var repeat = Evaluate(_repeat, task, excludeSeen: false);

        Assert.Equal(["model", "popularity", "co-occurrence", "content"], repeat.Overall.Select(m => m.Method));
        Assert.Equal(BruteForce(_repeat, task, withRepeat: true, withBoost: false).AtK, repeat.Of(EvaluationResult.ModelMethod).AtK);
        Assert.Equal(BruteForce(_plain, task, withRepeat: false, withBoost: false).AtK, plain.Of(EvaluationResult.ModelMethod).AtK);
        Assert.NotEqual(plain.Of(EvaluationResult.ModelMethod).AtK, repeat.Of(EvaluationResult.ModelMethod).AtK);
        foreach (var baseline in plain.Overall.Skip(1))
            Assert.Equal(baseline.Metrics.AtK, repeat.Of(baseline.Method).AtK);
        Assert.NotNull(repeat.Repeat);
        Assert.Null(repeat.CoOccurrence);
    }

    [Fact]
    public void Model_alone_includes_the_repeat_term_and_model_adds_the_boost()
    {
        var repeat = Evaluate(_repeat, "next-item", excludeSeen: false);
        var both = Evaluate(_both, "next-item", excludeSeen: false);

        Assert.Equal(["model", "model-alone", "popularity", "co-occurrence", "content"], both.Overall.Select(m => m.Method));
        Assert.Equal(repeat.Of(EvaluationResult.ModelMethod).AtK, both.Of(EvaluationResult.ModelAloneMethod).AtK);
        foreach (var segment in repeat.Segments)
        {
            var same = both.Segments.Single(s => s.Dimension == segment.Dimension && s.Segment == segment.Segment);
            Assert.Equal(segment.Of(EvaluationResult.ModelMethod).AtK, same.Of(EvaluationResult.ModelAloneMethod).AtK);
        }
        Assert.Equal(BruteForce(_both, "next-item", withRepeat: true, withBoost: true).AtK, both.Of(EvaluationResult.ModelMethod).AtK);
        Assert.Contains("repeat term", both.Protocol);
    }

    [Fact]
    public void With_seen_items_left_out_the_term_changes_no_rank()
    {
        var plain = Evaluate(_plain, "next-item", excludeSeen: true);
        var repeat = Evaluate(_repeat, "next-item", excludeSeen: true);

        foreach (var method in plain.Overall)
            Assert.Equal(method.Metrics.AtK, repeat.Of(method.Method).AtK);
    }

    [Fact]
    public void A_task_the_section_does_not_list_is_measured_as_before()
    {
        var plain = Evaluate(_plain, "similar", excludeSeen: false);
        var repeat = Evaluate(_repeat, "similar", excludeSeen: false);

        Assert.Null(repeat.Repeat);
        foreach (var method in plain.Overall)
            Assert.Equal(method.Metrics.AtK, repeat.Of(method.Method).AtK);
        Assert.Equal(plain.Protocol, repeat.Protocol);
    }

    [Fact]
    public void Metrics_json_holds_the_section_as_evaluated()
    {
        var json = JsonDocument.Parse(EvaluationReportWriter.Json(Evaluate(_both, "next-item", excludeSeen: false))).RootElement;
        var section = json.GetProperty("repeat");

        Assert.Equal(ServedTasks, section.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(Starts, section.GetProperty("recencyStarts").EnumerateArray().Select(s => s.GetInt32()));
        foreach (var (name, values) in _byEvent)
            Assert.Equal(values, section.GetProperty("byEvent").GetProperty(name).EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(Weight, json.GetProperty("cooccurrence").GetProperty("weight").GetDouble());

        var plainJson = JsonDocument.Parse(EvaluationReportWriter.Json(Evaluate(_plain, "next-item", excludeSeen: false))).RootElement;
        Assert.Equal(JsonValueKind.Null, plainJson.GetProperty("repeat").ValueKind);
        var similarJson = JsonDocument.Parse(EvaluationReportWriter.Json(Evaluate(_repeat, "similar", excludeSeen: false))).RootElement;
        Assert.Equal(JsonValueKind.Null, similarJson.GetProperty("repeat").ValueKind);
    }

    private EvaluationResult Evaluate(ModelPackage package, string task, bool excludeSeen)
    {
        var items = FeatureDirectoryReader.Read(FeaturesDir);
        var categories = FeatureDirectoryReader.ReadCategories(FeaturesDir);
        var prompts = new PromptEncoder(package.Manifest, new PromptTableEncoder(FeaturesDir));
        return OfflineEvaluator.Evaluate(package, items, categories, Events(), prompts,
            new EvaluationOptions(MaxDegreeOfParallelism: 1, ExcludeSeen: excludeSeen, Task: task), null, CancellationToken.None);
    }

    /// <summary>
    /// The ranks worked out item by item: the split and cases as the evaluator poses them, user vectors
    /// from the same encoder (one batch in the evaluator's order), every item's model score plus its repeat
    /// term from the newest L history items by definition, then its boost, counted when strictly above the target's.
    /// </summary>
    private RankSummary BruteForce(ModelPackage package, string task, bool withRepeat, bool withBoost)
    {
        var items = FeatureDirectoryReader.Read(FeaturesDir);
        var cards = new CardFuser(package).FuseMatrix(items);
        var rowOf = Enumerable.Range(0, cards.Count).ToDictionary(i => cards.Ids[i], StringComparer.Ordinal);
        var newRows = package.Manifest.NewItems.Where(rowOf.ContainsKey).Select(id => rowOf[id]).ToHashSet();
        var split = LeaveOneOut.Split(Events(), rowOf, newRows);
        var cases = EvaluationTasks.Cases(task, split.Test, FeatureDirectoryReader.ReadCategories(FeaturesDir), excludeSeen: false);
        var prompt = new PromptEncoder(package.Manifest, new PromptTableEncoder(FeaturesDir)).Encode(task);
        var l = package.Sizes.L;
        var m = package.Sizes.M;
        var order = Enumerable.Range(0, cases.Count).OrderBy(i => Math.Min(cases[i].Case.History.Count, l)).ToArray();
        var sequences = order.Select(i =>
        {
            var c = cases[i].Case;
            var skip = Math.Max(0, c.History.Count - l);
            return new UserSequence(prompt, Enumerable.Range(skip, c.History.Count - skip)
                .Select(j => new HistoryEntry(cards.Row(c.History[j]).ToArray(), c.Events[j])).ToArray());
        }).ToList();
        Assert.InRange(cases.Count, 1, 256); // one batch, as the evaluator runs it
        var vectors = new UserEncoder(package).EncodeBatch(sequences);

        var ranks = new int[cases.Count];
        for (var j = 0; j < order.Length; j++)
        {
            var c = cases[order[j]];
            var ids = c.Case.History.Select(row => cards.Ids[row]).ToList();
            var skip = Math.Max(0, ids.Count - l);
            var modelHistory = Enumerable.Range(skip, ids.Count - skip).Select(h => (ids[h], c.Case.Events[h].ToString().ToLowerInvariant())).ToList();
            var terms = withRepeat ? RepeatManifest.Of(Starts, _byEvent, modelHistory) : [];
            var boosts = withBoost ? CoOccurrenceBoosts.Of(_table, package.Manifest.IdTable, Weight, Recent, ids) : [];
            float Served(int row)
            {
                var score = SetRetriever.Score(cards.Row(row), vectors[j], m).Score;
                if (terms.TryGetValue(cards.Ids[row], out var term)) score += term;
                if (boosts.TryGetValue(cards.Ids[row], out var boost)) score += boost;
                return score;
            }
            var target = Served(c.Target);
            ranks[order[j]] = Enumerable.Range(0, cards.Count).Count(row =>
                (c.Candidates is null || c.Candidates[row]) && (c.Excluded is null || !c.Excluded.Contains(row)) && Served(row) > target);
        }
        return RankingMetrics.Summarize(ranks, RankingMetrics.DefaultKs);
    }

    private List<UserEvent> Events()
        => EventReader.ReadAsync(Path.Combine(_model.Root, "events.csv"), new ReadReport(), CancellationToken.None).ToBlockingEnumerable().ToList();

    private string Copy(bool repeat, bool coOccurrence)
    {
        var directory = CoOccurrenceFile.CopyPackage(_model.Directory, "urm-repeat-model-");
        _directories.Add(directory);
        CoOccurrenceFile.EditManifest(directory, m =>
        {
            m.Remove("cooccurrence");
            m.Remove("repeat");
        });
        if (coOccurrence) CoOccurrenceFile.AddTo(directory, _table.Bytes(), _table.Pairs, Weight, Recent, ServedTasks);
        if (repeat) RepeatManifest.AddTo(directory, ServedTasks, Starts, _byEvent);
        return directory;
    }
}

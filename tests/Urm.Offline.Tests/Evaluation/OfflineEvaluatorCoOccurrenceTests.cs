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
/// urm evaluate on a copy of the tiny package with a co-occurrence table: "model" ranks by the served
/// score (checked against brute force through the same encoders), "model-alone" is exactly what the
/// package without the table measures, and the reports say which is which.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class OfflineEvaluatorCoOccurrenceTests : IDisposable
{
    private const double Weight = 0.6;
    private const int Recent = 3;
    private static readonly string[] ServedTasks = ["next-item", "next-purchase"];

    private readonly TinyModel _model;
    private readonly List<string> _directories = [];
    private readonly ModelPackage _plain;
    private readonly ModelPackage _boosted;
    private readonly CoOccurrenceFile.Table _table;

    public OfflineEvaluatorCoOccurrenceTests(TinyModel model)
    {
        _model = model;
        var plain = Copy();
        CoOccurrenceFile.EditManifest(plain, m => m.Remove("cooccurrence"));
        _plain = ModelPackage.Load(plain, TinyModel.Session);
        var boosted = Copy();
        _table = CoOccurrenceFile.Random(model.Package.Sizes.IdCount, seed: 41, perItem: 6);
        CoOccurrenceFile.AddTo(boosted, _table.Bytes(), _table.Pairs, Weight, Recent, ServedTasks);
        _boosted = ModelPackage.Load(boosted, TinyModel.Session);
    }

    private string FeaturesDir => Path.Combine(_model.Root, "features");

    public void Dispose()
    {
        _plain.Dispose();
        _boosted.Dispose();
        foreach (var directory in _directories)
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("next-item", false)]
    [InlineData("next-item", true)]
    [InlineData("next-purchase", false)]
    public void Model_is_the_served_score_and_model_alone_what_the_package_without_the_table_measures(string task, bool excludeSeen)
    {
        var plain = Evaluate(_plain, task, excludeSeen);
        var boosted = Evaluate(_boosted, task, excludeSeen);

        Assert.Equal(["model", "model-alone", "popularity", "co-occurrence", "content"], boosted.Overall.Select(m => m.Method));
        Assert.Equal(EvaluationResult.ModelAloneMethod, boosted.Overall[1].Method);
        Assert.Equal(plain.Of(EvaluationResult.ModelMethod).AtK, boosted.Of(EvaluationResult.ModelAloneMethod).AtK);
        foreach (var baseline in plain.Overall.Skip(1))
            Assert.Equal(baseline.Metrics.AtK, boosted.Of(baseline.Method).AtK);
        foreach (var segment in plain.Segments)
        {
            var same = boosted.Segments.Single(s => s.Dimension == segment.Dimension && s.Segment == segment.Segment);
            Assert.Equal(segment.Of(EvaluationResult.ModelMethod).AtK, same.Of(EvaluationResult.ModelAloneMethod).AtK);
        }

        Assert.Equal(BruteForce(_boosted, task, excludeSeen).AtK, boosted.Of(EvaluationResult.ModelMethod).AtK);
        Assert.NotEqual(boosted.Of(EvaluationResult.ModelAloneMethod).AtK, boosted.Of(EvaluationResult.ModelMethod).AtK);
    }

    [Fact]
    public void A_task_the_section_does_not_list_is_measured_as_before()
    {
        var plain = Evaluate(_plain, "similar", false);
        var boosted = Evaluate(_boosted, "similar", false);

        Assert.Equal(["model", "popularity", "co-occurrence", "content"], boosted.Overall.Select(m => m.Method));
        Assert.Null(boosted.CoOccurrence);
        foreach (var method in plain.Overall)
            Assert.Equal(method.Metrics.AtK, boosted.Of(method.Method).AtK);
        Assert.Equal(plain.Protocol, boosted.Protocol);
    }

    [Fact]
    public void The_reports_show_both_rows_and_say_what_each_is()
    {
        var plain = Evaluate(_plain, "next-item", false);
        var boosted = Evaluate(_boosted, "next-item", false);

        Assert.NotNull(boosted.TrainerMetrics); // the trainer's served figures still sit beside the model row
        Assert.Contains("model-alone ranks by the model's score alone, without the co-occurrence term", boosted.Protocol);
        Assert.Contains("Method model ranks by that served score", boosted.Protocol);
        Assert.DoesNotContain("model-alone", plain.Protocol);

        var json = JsonDocument.Parse(EvaluationReportWriter.Json(boosted)).RootElement;
        Assert.True(json.GetProperty("methods").TryGetProperty("model-alone", out _));
        Assert.Equal(Weight, json.GetProperty("cooccurrence").GetProperty("weight").GetDouble());
        Assert.Equal(Recent, json.GetProperty("cooccurrence").GetProperty("recent").GetInt32());
        Assert.Contains(json.GetProperty("segments").EnumerateArray(), s => s.GetProperty("methods").TryGetProperty("model-alone", out _));
        var plainJson = JsonDocument.Parse(EvaluationReportWriter.Json(plain)).RootElement;
        Assert.Equal(JsonValueKind.Null, plainJson.GetProperty("cooccurrence").ValueKind);
        Assert.False(plainJson.GetProperty("methods").TryGetProperty("model-alone", out _));

        var markdown = EvaluationReportWriter.Markdown(boosted, []);
        Assert.Contains("| model-alone |", markdown);
        Assert.Contains("model-alone HR@10", markdown);
        Assert.Contains("model-alone: the model's score alone, without the co-occurrence term", markdown);
        Assert.Contains("compare with the model row", markdown);
        Assert.DoesNotContain("model-alone", EvaluationReportWriter.Markdown(plain, []));
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
    /// The served ranks worked out item by item: the split and cases as the evaluator poses them, user
    /// vectors from the same encoder (one batch in the evaluator's order), every item's model score plus
    /// its boost by definition, counted when strictly above the target's.
    /// </summary>
    private RankSummary BruteForce(ModelPackage package, string task, bool excludeSeen)
    {
        var items = FeatureDirectoryReader.Read(FeaturesDir);
        var cards = new CardFuser(package).FuseMatrix(items);
        var rowOf = Enumerable.Range(0, cards.Count).ToDictionary(i => cards.Ids[i], StringComparer.Ordinal);
        var newRows = package.Manifest.NewItems.Where(rowOf.ContainsKey).Select(id => rowOf[id]).ToHashSet();
        var split = LeaveOneOut.Split(Events(), rowOf, newRows);
        var cases = EvaluationTasks.Cases(task, split.Test, FeatureDirectoryReader.ReadCategories(FeaturesDir), excludeSeen);
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
            var boosts = CoOccurrenceBoosts.Of(_table, package.Manifest.IdTable, Weight, Recent, c.Case.History.Select(row => cards.Ids[row]).ToList());
            float Served(int row) => SetRetriever.Score(cards.Row(row), vectors[j], m).Score + boosts.GetValueOrDefault(cards.Ids[row]);
            var target = Served(c.Target);
            ranks[order[j]] = Enumerable.Range(0, cards.Count).Count(row =>
                (c.Candidates is null || c.Candidates[row]) && (c.Excluded is null || !c.Excluded.Contains(row)) && Served(row) > target);
        }
        return RankingMetrics.Summarize(ranks, RankingMetrics.DefaultKs);
    }

    private List<UserEvent> Events()
        => EventReader.ReadAsync(Path.Combine(_model.Root, "events.csv"), new ReadReport(), CancellationToken.None).ToBlockingEnumerable().ToList();

    private string Copy()
    {
        var directory = CoOccurrenceFile.CopyPackage(_model.Directory);
        _directories.Add(directory);
        return directory;
    }
}

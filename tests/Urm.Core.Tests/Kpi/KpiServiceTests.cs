using Urm.Azure.Tests.Servers;
using Urm.Core.Events;
using Urm.Core.Kpi;

namespace Urm.Core.Tests.Kpi;

/// <summary>The report over the SQLite log and the folder archive, as `urm serve` and `urm kpi` read them.</summary>
public sealed class KpiServiceTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 23, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-kpi-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Only_recommendations_served_in_the_range_count_and_their_events_may_come_the_next_day()
    {
        var log = await SqliteRecommendationLog.OpenAsync(Path.Combine(_folder, "urm.db"), default);
        var archive = new FolderEventArchive(Path.Combine(_folder, "events"));
        await log.RecordAsync(new RecommendationRecord("r-in", T0, "m1", "next-item", "u-1", null, 2, ["a", "b"]), default);
        await log.RecordAsync(new RecommendationRecord("r-in", T0.AddHours(-30), "m9", "search", null, null, 1, ["x"]), default);   // same id: ignored
        await log.RecordAsync(new RecommendationRecord("r-out", T0.AddDays(-2), "m1", "next-item", "u-1", null, 2, ["a", "b"]), default);
        // Received after midnight, in the next day's folder; a click on r-out does not bring it into the range.
        await archive.AppendAsync([new ArchivedEvent("u-1", "b", EventType.Click, T0.AddHours(2), "e-1", null, "r-in"),
            new ArchivedEvent("u-1", "a", EventType.Click, T0.AddHours(2), "e-2", null, "r-out")], T0.AddHours(2), default);

        var service = new KpiService(log, archive, time: new ManualTime(T0.AddDays(3)));
        var report = await service.ReportAsync(T0.AddHours(-1), T0.AddHours(1), default);

        var row = Assert.Single(report.Rows);
        Assert.Equal(("m1", "next-item", 1, 2, new KpiRate(1, 1.0)), (row.ModelVersion, row.Task, row.Served, row.ItemsShown, row.Click));
        Assert.Equal(new KpiRate(0, 0), row.Purchase);
        Assert.Empty(report.Comparisons);
    }

    [Fact]
    public async Task An_experiments_answers_are_reported_per_arm_with_the_click_through_difference()
    {
        var log = await SqliteRecommendationLog.OpenAsync(Path.Combine(_folder, "urm.db"), default);
        var archive = new FolderEventArchive(Path.Combine(_folder, "events"));
        // Arm A: 2 answers, 1 clicked; arm B: 2 answers, both clicked.
        var answers = new[] { ("r-a1", "A", "m1"), ("r-a2", "A", "m1"), ("r-b1", "B", "m2"), ("r-b2", "B", "m2") };
        foreach (var (id, arm, model) in answers)
            await log.RecordAsync(new RecommendationRecord(id, T0, model, "next-item", "u-" + id, null, 1, ["a"], arm), default);
        await archive.AppendAsync(new[] { "r-a1", "r-b1", "r-b2" }.Select(id => new ArchivedEvent("u-" + id, "a", EventType.Click, T0.AddMinutes(5), null, null, id)).ToList(),
            T0.AddMinutes(5), default);

        var report = await new KpiService(log, archive, time: new ManualTime(T0.AddDays(3))).ReportAsync(T0.AddHours(-1), T0.AddHours(1), default);

        Assert.Equal([("A", "m1", 2, 1), ("B", "m2", 2, 2)], report.Rows.Select(r => (r.Arm, r.ModelVersion, r.Served, r.Click.Recommendations)));
        Assert.Equal([null, "next-item"], report.Comparisons.Select(c => c.Task));
        var all = report.Comparisons[0];
        Assert.Equal(RateDifference.Newcombe(2, 2, 1, 2), new RateDifference(all.Difference, all.Low, all.High));
    }
}

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
    }
}

using Urm.Core.Events;
using Urm.Core.Kpi;

namespace Urm.Cli.Tests;

/// <summary>`urm kpi` over a store file and an event folder as `urm serve` leaves them: the table it prints.</summary>
public sealed class KpiCommandTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-kpi-").FullName;

    private string Store => Path.Combine(_folder, "urm.db");

    private string Events => Path.Combine(_folder, "events");

    [Fact]
    public async Task The_table_has_a_row_per_model_and_task_with_each_rate_and_its_count()
    {
        var log = await SqliteRecommendationLog.OpenAsync(Store, default);
        await log.RecordAsync(new RecommendationRecord("r-1", T0, "m1", "next-item", "u-1", null, 2, ["sku-1", "sku-2"]), default);
        await log.RecordAsync(new RecommendationRecord("r-2", T0.AddMinutes(5), "m1", "next-item", "u-2", null, 2, ["sku-3", "sku-4"]), default);
        await log.RecordAsync(new RecommendationRecord("r-3", T0.AddMinutes(10), "m1", "search", null, "s-1", 3, ["sku-5", "sku-6", "sku-7"]), default);
        await log.RecordAsync(new RecommendationRecord("r-4", T0.AddMinutes(15), "m2-longer-name", "similar", null, null, 1, ["sku-8"]), default);
        // Outside the range: not a row.
        await log.RecordAsync(new RecommendationRecord("r-5", T0.AddDays(2), "m3", "explore", null, null, 1, ["sku-9"]), default);
        ArchivedEvent Event(string user, string item, EventType type, string recommendation, string? session = null)
            => new(user, item, type, T0.AddHours(1), null, session, recommendation);
        await new FolderEventArchive(Events).AppendAsync(
        [
            Event("u-1", "sku-2", EventType.Click, "r-1"),
            Event("u-1", "sku-2", EventType.Click, "r-1"),   // a second click on the same answer counts once
            Event("u-1", "sku-1", EventType.Cart, "r-1"),
            Event("u-9", "sku-3", EventType.Click, "r-2"),   // another shopper's: not attributed
            Event("s-1", "sku-6", EventType.Purchase, "r-3", session: "s-1"),
        ], T0.AddHours(1), default);

        var (exitCode, output, errors) = await CliRun.InvokeAsync("kpi", "--store", Store, "--from", "2026-05-01", "--to", "2026-05-02");

        Assert.True(exitCode == 0, errors);
        Assert.Equal(
            """
            Recommendations served 2026-05-01 00:00:00Z to 2026-05-02 00:00:00Z (attribution window 24 h)
            arm  model           task       served  items shown  click-through  add-to-cart     purchase
            -    m1              next-item       2            4     50.0 % (1)   50.0 % (1)    0.0 % (0)
            -    m1              search          1            3      0.0 % (0)    0.0 % (0)  100.0 % (1)
            -    m2-longer-name  similar         1            1      0.0 % (0)    0.0 % (0)    0.0 % (0)

            """.ReplaceLineEndings(), output.ReplaceLineEndings());
    }

    [Fact]
    public async Task A_range_with_nothing_served_says_so()
    {
        await SqliteRecommendationLog.OpenAsync(Store, default);

        var (exitCode, output, errors) = await CliRun.InvokeAsync("kpi", "--store", Store, "--from", "2026-05-01", "--to", "2026-05-02", "--window", "02:00:00");

        Assert.True(exitCode == 0, errors);
        Assert.Equal($"Recommendations served 2026-05-01 00:00:00Z to 2026-05-02 00:00:00Z (attribution window 2 h){Environment.NewLine}None.{Environment.NewLine}", output);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

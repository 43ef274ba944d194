using Microsoft.Data.Sqlite;
using Urm.Core.Kpi;

namespace Urm.Core.Tests.Kpi;

/// <summary>The recommendation log contract on the SQLite table `urm serve` keeps.</summary>
public sealed class SqliteRecommendationLogTests : RecommendationLogContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-log-").FullName;

    protected override async Task<IRecommendationLog> CreateAsync()
        => await SqliteRecommendationLog.OpenAsync(Path.Combine(_folder, $"{Guid.NewGuid():N}.db"), default);

    [Fact]
    public async Task A_file_written_before_arms_opens_and_its_records_read_back_without_an_arm()
    {
        var path = Path.Combine(_folder, "old.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            // The table as the log created it before answers carried an experiment arm.
            command.CommandText = """
                CREATE TABLE recommendations (id TEXT NOT NULL PRIMARY KEY, time TEXT NOT NULL, ticks INTEGER NOT NULL, model_version TEXT NOT NULL,
                    task TEXT NOT NULL, user_id TEXT NULL, session_id TEXT NULL, k INTEGER NOT NULL, items TEXT NOT NULL);
                INSERT INTO recommendations VALUES ('r-old', '2026-05-01T23:30:00.0000000+00:00', 639132750000000000, 'm1', 'next-item', 'u-1', NULL, 2, '["a","b"]');
                """;
            await command.ExecuteNonQueryAsync();
        }

        var log = await SqliteRecommendationLog.OpenAsync(path, default);
        await log.RecordAsync(new RecommendationRecord("r-new", T0.AddMinutes(1), "m2", "next-item", "u-2", null, 1, ["c"], "B"), default);

        var read = new List<RecommendationRecord>();
        await foreach (var r in log.ReadAsync(T0, T0.AddHours(1), default)) read.Add(r);
        Assert.Equal([("r-old", null), ("r-new", "B")], read.OrderBy(r => r.Time).Select(r => (r.Id, r.Arm)));
    }

    [Fact]
    public async Task Records_sent_at_once_all_read_back_each_once_with_its_own_items()
    {
        var log = await SqliteRecommendationLog.OpenAsync(Path.Combine(_folder, "many.db"), default);
        // As many as a busy server answers at once: they share transactions, and none may be lost or mixed up.
        var records = Enumerable.Range(0, 64)
            .Select(i => new RecommendationRecord($"r-{i:D3}", T0.AddSeconds(i), "m1", "next-item", $"u-{i}", null, 2, [$"sku-{i}", $"sku-{i + 1}"]))
            .ToList();
        await Task.WhenAll(records.Select(r => Task.Run(() => log.RecordAsync(r, default))));

        var read = new List<RecommendationRecord>();
        await foreach (var r in log.ReadAsync(T0, T0.AddHours(1), default)) read.Add(r);
        Assert.Equal(records.Select(r => (r.Id, r.UserId, string.Join(",", r.Items))),
            read.OrderBy(r => r.Id).Select(r => (r.Id, r.UserId, string.Join(",", r.Items))));
    }

    [Fact]
    public async Task A_record_whose_caller_gave_up_goes_with_the_next_record()
    {
        var log = await SqliteRecommendationLog.OpenAsync(Path.Combine(_folder, "given-up.db"), default);
        using var gaveUp = new CancellationTokenSource();
        await gaveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => log.RecordAsync(new RecommendationRecord("r-first", T0, "m1", "next-item", null, null, 1, ["a"]), gaveUp.Token));
        await log.RecordAsync(new RecommendationRecord("r-second", T0.AddSeconds(1), "m1", "next-item", null, null, 1, ["b"]), default);

        var read = new List<RecommendationRecord>();
        await foreach (var r in log.ReadAsync(T0, T0.AddHours(1), default)) read.Add(r);
        Assert.Equal(["r-first", "r-second"], read.OrderBy(r => r.Time).Select(r => r.Id));
    }

    protected override Task CleanUpAsync()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

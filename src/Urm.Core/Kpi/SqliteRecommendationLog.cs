using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Urm.Core.Kpi;

/// <summary>
/// The recommendation log of `urm serve`: the table <c>recommendations</c> in the card store's SQLite file
/// (WAL, shared with the cards and profiles), one row per answer keyed by its id, the items shown as a JSON array.
/// Records are written one transaction at a time, each holding every record waiting by then (a group commit):
/// see <see cref="RecordAsync"/>.
/// </summary>
public sealed class SqliteRecommendationLog : IRecommendationLog
{
    private const string Columns = "id, time, model_version, task, user_id, session_id, k, items, arm";

    private readonly string _connectionString;

    // Records waiting for a transaction, and the gate one writer at a time holds. Why not an insert per answer:
    // two of this process's connections inserting at once make the second meet SQLITE_BUSY, which
    // Microsoft.Data.Sqlite answers by sleeping 150 ms on the request's thread and trying again; under
    // `urm bench load` at 16 in flight that sleep was 82.8 of the 101 thread-seconds spent answering, and
    // the p99 (355 ms) sat on multiples of 150 ms (docs/BENCHMARKS.md, "HTTP load", 2026-12-04). Serialising
    // inserts alone would cost an fsync each (1.6 ms median on this disk): fewer than 650 answers a second.
    private readonly ConcurrentQueue<(RecommendationRecord Record, TaskCompletionSource Written)> _waiting = new();
    private readonly SemaphoreSlim _writer = new(1, 1);

    private SqliteRecommendationLog(string connectionString) => _connectionString = connectionString;

    public string Path { get; private init; } = "";

    /// <summary>Opens (creating when missing) the file and the table; the file may already hold cards and profiles.</summary>
    public static async Task<SqliteRecommendationLog> OpenAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        var builder = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 };
        var log = new SqliteRecommendationLog(builder.ToString()) { Path = full };
        await using var connection = await log.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS recommendations (
                id TEXT NOT NULL PRIMARY KEY,
                time TEXT NOT NULL,
                ticks INTEGER NOT NULL,
                model_version TEXT NOT NULL,
                task TEXT NOT NULL,
                user_id TEXT NULL,
                session_id TEXT NULL,
                k INTEGER NOT NULL,
                items TEXT NOT NULL,
                arm TEXT NULL);
            CREATE INDEX IF NOT EXISTS recommendations_by_time ON recommendations (ticks);
            """;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        // A file written before answers carried an experiment arm: its records read back without one.
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('recommendations') WHERE name = 'arm';";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            command.CommandText = "ALTER TABLE recommendations ADD COLUMN arm TEXT NULL;";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return log;
    }

    /// <summary>
    /// Queues the record, then, holding the writer's gate (waited for without a thread), writes every queued
    /// record in one transaction, unless a writer before took this one along; returns once it is committed.
    /// A record whose caller gives up while waiting stays queued and goes with the next transaction.
    /// </summary>
    public async Task RecordAsync(RecommendationRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.Enqueue((record, written));
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!written.Task.IsCompleted) await WriteWaitingAsync().ConfigureAwait(false);
        }
        finally
        {
            _writer.Release();
        }
        await written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every queued record in one transaction; each record's task completes (or faults) with it.</summary>
    private async Task WriteWaitingAsync()
    {
        var batch = new List<(RecommendationRecord Record, TaskCompletionSource Written)>();
        while (_waiting.TryDequeue(out var waiting)) batch.Add(waiting);
        if (batch.Count == 0) return;
        try
        {
            // Not the caller's token: the batch carries other callers' records, which one caller's cancellation must not drop.
            await using var connection = await OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync().ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT OR IGNORE INTO recommendations ({Columns}, ticks) VALUES ($id, $time, $model, $task, $user, $session, $k, $items, $arm, $ticks);";
            foreach (var (record, _) in batch)
            {
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$id", record.Id);
                command.Parameters.AddWithValue("$time", record.Time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                command.Parameters.AddWithValue("$ticks", record.Time.UtcTicks);
                command.Parameters.AddWithValue("$model", record.ModelVersion);
                command.Parameters.AddWithValue("$task", record.Task);
                command.Parameters.AddWithValue("$user", (object?)record.UserId ?? DBNull.Value);
                command.Parameters.AddWithValue("$session", (object?)record.SessionId ?? DBNull.Value);
                command.Parameters.AddWithValue("$k", record.K);
                command.Parameters.AddWithValue("$items", JsonSerializer.Serialize(record.Items));
                command.Parameters.AddWithValue("$arm", (object?)record.Arm ?? DBNull.Value);
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await transaction.CommitAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var (_, written) in batch) written.TrySetException(e);
            return;
        }
        foreach (var (_, written) in batch) written.TrySetResult();
    }

    public async IAsyncEnumerable<RecommendationRecord> ReadAsync(DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM recommendations WHERE ticks >= $from AND ticks < $to;";
        command.Parameters.AddWithValue("$from", from.UtcTicks);
        command.Parameters.AddWithValue("$to", to.UtcTicks);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) yield return Read(reader);
    }

    public async Task<int> EraseShopperAsync(string userId, IReadOnlySet<string> sessionIds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentNullException.ThrowIfNull(sessionIds);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // No index on user or session: an erasure is rare, and a scan of the table costs less than an index on every answer's insert.
        command.CommandText = """
            UPDATE recommendations SET user_id = NULL, session_id = NULL
            WHERE user_id = $user OR session_id IN (SELECT value FROM json_each($sessions));
            """;
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$sessions", JsonSerializer.Serialize(sessionIds));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static RecommendationRecord Read(SqliteDataReader reader) => new(
        Id: reader.GetString(0),
        Time: DateTimeOffset.ParseExact(reader.GetString(1), "O", CultureInfo.InvariantCulture),
        ModelVersion: reader.GetString(2),
        Task: reader.GetString(3),
        UserId: reader.IsDBNull(4) ? null : reader.GetString(4),
        SessionId: reader.IsDBNull(5) ? null : reader.GetString(5),
        K: reader.GetInt32(6),
        Items: JsonSerializer.Deserialize<string[]>(reader.GetString(7)) ?? [],
        Arm: reader.IsDBNull(8) ? null : reader.GetString(8));

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}

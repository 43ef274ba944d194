using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Urm.Core.Storage;

namespace Urm.Core.Kpi;

/// <summary>
/// The recommendation log of `urm serve`: the table <c>recommendations</c> in the card store's SQLite file
/// (WAL, shared with the cards and profiles), one row per answer keyed by its id, the items shown as a JSON array.
/// Records are written one transaction at a time, each holding every write to the file waiting by then (a group
/// commit): see <see cref="SqliteGroupCommit"/>.
/// </summary>
public sealed class SqliteRecommendationLog : IRecommendationLog
{
    private const string Columns = "id, time, model_version, task, user_id, session_id, k, items, arm";

    private readonly string _connectionString;

    // Every write goes through the file's group commit (shared with the profiles in the same file): see SqliteGroupCommit.
    private readonly SqliteGroupCommit _writer;

    private SqliteRecommendationLog(string connectionString, string path)
        => (_connectionString, _writer, Path) = (connectionString, SqliteGroupCommit.For(path), path);

    public string Path { get; }

    /// <summary>Opens (creating when missing) the file and the table; the file may already hold cards and profiles.</summary>
    public static async Task<SqliteRecommendationLog> OpenAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        var builder = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 };
        var log = new SqliteRecommendationLog(builder.ToString(), full);
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
    /// Writes the record through the file's group commit (<see cref="SqliteGroupCommit.WriteAsync"/>); returns once
    /// it is committed. A record whose caller gives up while waiting stays queued and goes with the next transaction.
    /// </summary>
    public async Task RecordAsync(RecommendationRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _writer.WriteAsync(async (connection, transaction, token) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT OR IGNORE INTO recommendations ({Columns}, ticks) VALUES ($id, $time, $model, $task, $user, $session, $k, $items, $arm, $ticks);";
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
            return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
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
        return await _writer.WriteAsync(async (connection, transaction, token) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            // No index on user or session: an erasure is rare, and a scan of the table costs less than an index on every answer's insert.
            command.CommandText = """
                UPDATE recommendations SET user_id = NULL, session_id = NULL
                WHERE user_id = $user OR session_id IN (SELECT value FROM json_each($sessions));
                """;
            command.Parameters.AddWithValue("$user", userId);
            command.Parameters.AddWithValue("$sessions", JsonSerializer.Serialize(sessionIds));
            return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
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

using System.Globalization;
using Microsoft.Data.Sqlite;
using Urm.Core.Events;
using Urm.Core.Storage;

namespace Urm.Core.Profiles;

/// <summary>
/// Profiles for `urm serve`: the table <c>profile_events</c> in the card store's SQLite file (WAL, so the
/// server, the encoder and this share it). One row per event, keyed by (profile, event key), so a repeated
/// eventId is ignored by the insert itself; each append also drops expired rows and what is beyond the cap.
/// Every write goes through the file's group commit (<see cref="SqliteGroupCommit"/>, shared with the
/// recommendation log in the same file): concurrent writers met SQLITE_BUSY and its 150 ms sleep.
/// </summary>
public sealed class SqliteProfileStore : IProfileStore
{
    private const string Columns = "event_key, event_id, item_id, event, timestamp, ticks, session_id, recommendation_id, received";

    private readonly string _connectionString;
    private readonly ProfileOptions _options;
    private readonly TimeProvider _time;
    private readonly SqliteGroupCommit _writer;

    private SqliteProfileStore(string connectionString, string path, ProfileOptions options, TimeProvider time)
        => (_connectionString, Path, _writer, _options, _time) = (connectionString, path, SqliteGroupCommit.For(path), options, time);

    public string Path { get; }

    /// <summary>Opens (creating when missing) the file and the table; the file may already hold a card store.</summary>
    public static async Task<SqliteProfileStore> OpenAsync(string path, ProfileOptions? options, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= ProfileOptions.Default;
        var problems = options.Problems().ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        var full = System.IO.Path.GetFullPath(path);
        var builder = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 };
        var store = new SqliteProfileStore(builder.ToString(), full, options, time ?? TimeProvider.System);
        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS profile_events (
                profile TEXT NOT NULL,
                event_key TEXT NOT NULL,
                event_id TEXT NULL,
                item_id TEXT NOT NULL,
                event TEXT NOT NULL,
                timestamp TEXT NOT NULL,
                ticks INTEGER NOT NULL,
                session_id TEXT NULL,
                recommendation_id TEXT NULL,
                received INTEGER NOT NULL,
                expires INTEGER NULL,
                PRIMARY KEY (profile, event_key));
            CREATE INDEX IF NOT EXISTS profile_events_by_time ON profile_events (profile, ticks, received);
            """, [], cancellationToken).ConfigureAwait(false);
        return store;
    }

    public Task<IReadOnlyList<bool>> AppendAsync(ProfileKey key, IReadOnlyList<ProfileEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        return _writer.WriteAsync<IReadOnlyList<bool>>(async (connection, transaction, token) =>
        {
            // A caller that gave up while queued is answered with an error, so its events must not be stored
            // behind its back: they would be in the profile but not in the archive, and a retry would call them duplicates.
            cancellationToken.ThrowIfCancellationRequested();
            await DropExpiredAsync(connection, transaction, key, token).ConfigureAwait(false);
            var stored = new bool[events.Count];
            var expires = _options.EventTtl is { } ttl ? (_time.GetUtcNow() + ttl).UtcTicks : (long?)null;
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT OR IGNORE INTO profile_events (profile, {Columns}, expires) VALUES ($profile, $key, $id, $item, $event, $timestamp, $ticks, $session, $recommendation, $received, $expires);";
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$profile", key.Value);
                command.Parameters.AddWithValue("$key", e.EventKey);
                command.Parameters.AddWithValue("$id", (object?)e.EventId ?? DBNull.Value);
                command.Parameters.AddWithValue("$item", e.ItemId);
                command.Parameters.AddWithValue("$event", e.Type.ToString().ToLowerInvariant());
                command.Parameters.AddWithValue("$timestamp", e.Timestamp.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                command.Parameters.AddWithValue("$ticks", e.Timestamp.UtcTicks);
                command.Parameters.AddWithValue("$session", (object?)e.SessionId ?? DBNull.Value);
                command.Parameters.AddWithValue("$recommendation", (object?)e.RecommendationId ?? DBNull.Value);
                command.Parameters.AddWithValue("$received", e.Received);
                command.Parameters.AddWithValue("$expires", (object?)expires ?? DBNull.Value);
                stored[i] = await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
            }
            await TrimAsync(connection, transaction, key, token).ConfigureAwait(false);
            return stored;
        }, cancellationToken);
    }

    public async Task RemoveAsync(ProfileKey key, IReadOnlyList<string> eventKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventKeys);
        await _writer.WriteAsync(async (connection, transaction, token) =>
        {
            foreach (var eventKey in eventKeys)
                await ExecuteAsync(connection, transaction, "DELETE FROM profile_events WHERE profile = $profile AND event_key = $key;",
                    [("$profile", key.Value), ("$key", eventKey)], token).ConfigureAwait(false);
            return eventKeys.Count;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Profile?> GetAsync(ProfileKey key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM profile_events WHERE profile = $profile AND (expires IS NULL OR expires > $now) ORDER BY ticks, received;";
        command.Parameters.AddWithValue("$profile", key.Value);
        command.Parameters.AddWithValue("$now", _time.GetUtcNow().UtcTicks);
        var events = new List<ProfileEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            EventNames.TryParse(reader.GetString(3), out var type);
            events.Add(new ProfileEvent(
                EventKey: reader.GetString(0),
                EventId: reader.IsDBNull(1) ? null : reader.GetString(1),
                ItemId: reader.GetString(2),
                Type: type,
                Timestamp: DateTimeOffset.ParseExact(reader.GetString(4), "O", CultureInfo.InvariantCulture),
                SessionId: reader.IsDBNull(6) ? null : reader.GetString(6),
                RecommendationId: reader.IsDBNull(7) ? null : reader.GetString(7),
                Received: reader.GetInt64(8)));
        }
        return events.Count == 0 ? null : new Profile(key, events);
    }

    public async Task<int> MergeAsync(ProfileKey from, ProfileKey into, CancellationToken cancellationToken)
    {
        if (from == into) return 0;
        return await _writer.WriteAsync(async (connection, transaction, token) =>
        {
            await DropExpiredAsync(connection, transaction, from, token).ConfigureAwait(false);
            await DropExpiredAsync(connection, transaction, into, token).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, $"""
                INSERT OR IGNORE INTO profile_events (profile, {Columns}, expires)
                SELECT $into, {Columns}, expires FROM profile_events WHERE profile = $from;
                """, [("$from", from.Value), ("$into", into.Value)], token).ConfigureAwait(false);
            var moved = await ExecuteAsync(connection, transaction, "DELETE FROM profile_events WHERE profile = $from;", [("$from", from.Value)], token).ConfigureAwait(false);
            await TrimAsync(connection, transaction, into, token).ConfigureAwait(false);
            return moved;
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<int> DeleteAsync(ProfileKey key, CancellationToken cancellationToken)
        => _writer.WriteAsync((connection, transaction, token)
            => ExecuteAsync(connection, transaction, "DELETE FROM profile_events WHERE profile = $profile;", [("$profile", key.Value)], token), cancellationToken);

    private Task<int> DropExpiredAsync(SqliteConnection connection, SqliteTransaction transaction, ProfileKey key, CancellationToken cancellationToken)
        => ExecuteAsync(connection, transaction, "DELETE FROM profile_events WHERE profile = $profile AND expires IS NOT NULL AND expires <= $now;",
            [("$profile", key.Value), ("$now", _time.GetUtcNow().UtcTicks)], cancellationToken);

    // The newest MaxEvents stay (by timestamp, then by arrival); LIMIT -1 is SQLite's "no limit".
    private Task<int> TrimAsync(SqliteConnection connection, SqliteTransaction transaction, ProfileKey key, CancellationToken cancellationToken)
        => ExecuteAsync(connection, transaction, """
            DELETE FROM profile_events WHERE profile = $profile AND event_key IN (
                SELECT event_key FROM profile_events WHERE profile = $profile ORDER BY ticks DESC, received DESC LIMIT -1 OFFSET $cap);
            """, [("$profile", key.Value), ("$cap", _options.MaxEvents)], cancellationToken);

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, IReadOnlyList<(string Name, object Value)> parameters, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Urm.Core.Cards;

/// <summary>
/// The embedded card store for local runs: one SQLite file in WAL mode, so a server reading cards and an
/// encoder writing them can share it. Every write runs in one transaction that also bumps the single-row
/// catalog version and stamps the rows it touched with the new version, which is what
/// <see cref="ReadChangedAsync"/> filters on.
/// </summary>
/// <remarks>
/// Card sets (<see cref="SqliteCardStoreOptions.CardSet"/>): the default set "" is the tables <c>cards</c>
/// and <c>catalog</c>, as before sets existed. Any other set has its own pair, <c>cards_{key}</c> and
/// <c>catalog_{key}</c>: the key is the name's first 40 lower-case ASCII letters and digits, readable in
/// a SQLite shell, then "_" and the FNV-1a hash of the whole name, so names that differ only in other
/// characters or in case get tables of their own. The set's catalog row keeps its full name, and opening
/// a set whose tables hold another name's cards (a hash collision) fails instead of mixing the two.
/// </remarks>
public sealed class SqliteCardStore : ICardStore, IDisposable
{
    private const string Columns = "id, title, key_points, category, brand, price, available, content_hash, model_version, vector, updated_at, retired, lender, text";

    private readonly string _connectionString;
    private readonly string _cards;
    private readonly string _catalog;

    private SqliteCardStore(string connectionString, string cardSet)
    {
        _connectionString = connectionString;
        CardSet = cardSet;
        var key = cardSet.Length == 0 ? null : TableKey(cardSet);
        (_cards, _catalog) = key is null ? ("cards", "catalog") : ($"cards_{key}", $"catalog_{key}");
    }

    public string Path { get; private init; } = "";

    public string CardSet { get; }

    /// <summary>Opens (creating when missing) the store file and its tables.</summary>
    public static async Task<SqliteCardStore> OpenAsync(SqliteCardStoreOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        CardSetNames.Check(options.CardSet, nameof(options));
        var full = System.IO.Path.GetFullPath(options.Path);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy database until the command timeout runs out.
            DefaultTimeout = (int)Math.Ceiling(options.EffectiveBusyTimeout.TotalSeconds),
        };
        var store = new SqliteCardStore(builder.ToString(), options.CardSet) { Path = full };
        var (cards, catalog) = (store._cards, store._catalog);
        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // WAL is a property of the file: set once, every later connection (any process) gets it.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"""
            CREATE TABLE IF NOT EXISTS {cards} (
                id TEXT NOT NULL PRIMARY KEY,
                title TEXT NOT NULL,
                key_points TEXT NULL,
                category TEXT NULL,
                brand TEXT NULL,
                price REAL NULL,
                available INTEGER NOT NULL,
                content_hash TEXT NOT NULL,
                model_version TEXT NOT NULL,
                vector BLOB NOT NULL,
                updated_at TEXT NOT NULL,
                retired INTEGER NOT NULL,
                version INTEGER NOT NULL,
                lender TEXT NULL,
                text BLOB NULL);
            CREATE INDEX IF NOT EXISTS {cards}_by_version ON {cards} (version);
            """, cancellationToken).ConfigureAwait(false);
        if (options.CardSet.Length == 0)
        {
            await ExecuteAsync(connection, transaction, """
                CREATE TABLE IF NOT EXISTS catalog (
                    singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
                    version INTEGER NOT NULL);
                INSERT OR IGNORE INTO catalog (singleton, version) VALUES (1, 0);
                """, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ExecuteAsync(connection, transaction, $"""
                CREATE TABLE IF NOT EXISTS {catalog} (
                    singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
                    version INTEGER NOT NULL,
                    card_set TEXT NOT NULL);
                """, cancellationToken).ConfigureAwait(false);
            var owner = await ClaimAsync(connection, transaction, catalog, options.CardSet, cancellationToken).ConfigureAwait(false);
            if (owner != options.CardSet)
                throw new InvalidOperationException(
                    $"Card sets '{options.CardSet}' and '{owner}' map to the same tables ({cards}, {catalog}) in {full}; name the new set differently (e.g. add a suffix).");
        }
        // A store written before cards named their lender (2026-12-03) gets the column, empty.
        if (!await HasColumnAsync(connection, transaction, cards, "lender", cancellationToken).ConfigureAwait(false))
            await ExecuteAsync(connection, transaction, $"ALTER TABLE {cards} ADD COLUMN lender TEXT NULL;", cancellationToken).ConfigureAwait(false);
        // Likewise one written before cards carried their text vector (2026-12-03): its cards read back without one.
        if (!await HasColumnAsync(connection, transaction, cards, "text", cancellationToken).ConfigureAwait(false))
            await ExecuteAsync(connection, transaction, $"ALTER TABLE {cards} ADD COLUMN text BLOB NULL;", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return store;
    }

    public async Task<long> GetCatalogVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, (string ContentHash, string ModelVersion)>> GetStampsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, content_hash, model_version FROM {_cards} WHERE retired = 0;";
        var stamps = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            stamps[reader.GetString(0)] = (reader.GetString(1), reader.GetString(2));
        return stamps;
    }

    public async Task<long> UpsertAsync(IReadOnlyList<CardDocument> cards, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cards);
        foreach (var card in cards) ArgumentNullException.ThrowIfNull(card);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // The default transaction is BEGIN IMMEDIATE: the write lock is taken up front, so two writers
        // queue instead of both reading a version and one failing when it upgrades to write.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Nothing to write changes no card, so the version stays: a reader must not refresh for nothing.
        if (cards.Count == 0) return await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var version = await BumpVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT INTO {_cards} ({Columns}, version)
            VALUES ($id, $title, $keyPoints, $category, $brand, $price, $available, $contentHash, $modelVersion, $vector, $updatedAt, $retired, $lender, $text, $version)
            ON CONFLICT (id) DO UPDATE SET
                title = excluded.title, key_points = excluded.key_points, category = excluded.category,
                brand = excluded.brand, price = excluded.price, available = excluded.available,
                content_hash = excluded.content_hash, model_version = excluded.model_version,
                vector = excluded.vector, updated_at = excluded.updated_at, retired = excluded.retired,
                lender = excluded.lender, text = excluded.text, version = excluded.version;
            """;
        var parameters = new[] { "$id", "$title", "$keyPoints", "$category", "$brand", "$price", "$available", "$contentHash", "$modelVersion", "$vector", "$updatedAt", "$retired", "$lender", "$text", "$version" }
            .Select(name => command.Parameters.Add(new SqliteParameter { ParameterName = name }))
            .ToArray();
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        foreach (var card in cards)
        {
            cancellationToken.ThrowIfCancellationRequested();
            object?[] values =
            [
                card.Id, card.Title, card.KeyPoints, card.Category, card.Brand, card.Price, card.Available ? 1 : 0,
                card.ContentHash, card.ModelVersion, VectorBytes(card.Vector),
                card.UpdatedAt.ToString("O", CultureInfo.InvariantCulture), card.Retired ? 1 : 0, card.Lender,
                card.Text is null ? null : MemoryMarshal.AsBytes(card.Text.AsSpan()).ToArray(), version,
            ];
            for (var i = 0; i < values.Length; i++) parameters[i].Value = values[i] ?? DBNull.Value;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return version;
    }

    public async Task<long> RetireAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Bump first and roll back when no live card was hit: retiring unknown or already retired ids
        // changes nothing a reader could see, so the version must not move.
        var version = await BumpVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"UPDATE {_cards} SET retired = 1, version = $version, updated_at = $now WHERE id = $id AND retired = 0;";
        var id = command.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
        command.Parameters.AddWithValue("$version", version);
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        var changed = 0;
        foreach (var value in ids.Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            id.Value = value;
            changed += await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        if (changed == 0)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return version - 1;
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return version;
    }

    public async IAsyncEnumerable<CardDocument> ReadChangedAsync(long sinceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // One statement is one consistent read in WAL mode: a concurrent write is either wholly in or out.
        command.CommandText = $"SELECT {Columns} FROM {_cards} WHERE version > $since ORDER BY version, id;";
        command.Parameters.AddWithValue("$since", sinceVersion);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            yield return ReadCard(reader);
    }

    /// <summary>Closes the pooled connections, so the file can be moved or deleted.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<long> ReadVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT version FROM {_catalog} WHERE singleton = 1;";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private async Task<long> BumpVersionAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"UPDATE {_catalog} SET version = version + 1 WHERE singleton = 1 RETURNING version;";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>Writes the set's name into its fresh catalog row; returns the name the row holds.</summary>
    private static async Task<string> ClaimAsync(SqliteConnection connection, SqliteTransaction transaction, string catalog, string cardSet, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT OR IGNORE INTO {catalog} (singleton, version, card_set) VALUES (1, 0, $cardSet);
            SELECT card_set FROM {catalog} WHERE singleton = 1;
            """;
        command.Parameters.AddWithValue("$cardSet", cardSet);
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    // Table names cannot be parameters, so the key is built from characters that need no quoting.
    private static string TableKey(string cardSet)
    {
        var readable = new string(cardSet.Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant).Take(40).ToArray());
        // FNV-1a, 32 bit: stable across processes and runtimes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(cardSet))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return readable + "_" + hash.ToString("x8", CultureInfo.InvariantCulture);
    }

    private static async Task<bool> HasColumnAsync(SqliteConnection connection, SqliteTransaction transaction, string table, string column, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info($table) WHERE name = $column;";
        command.Parameters.AddWithValue("$table", table);
        command.Parameters.AddWithValue("$column", column);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // Raw float32 in the machine's byte order (little-endian on every platform .NET runs this on): the
    // bytes round-trip bit-exactly, NaN payloads and negative zero included.
    private static byte[] VectorBytes(float[] vector) => MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();

    private static CardDocument ReadCard(SqliteDataReader reader)
    {
        var bytes = (byte[])reader.GetValue(9);
        return new CardDocument(
            Id: reader.GetString(0),
            Title: reader.GetString(1),
            KeyPoints: reader.IsDBNull(2) ? null : reader.GetString(2),
            Category: reader.IsDBNull(3) ? null : reader.GetString(3),
            Brand: reader.IsDBNull(4) ? null : reader.GetString(4),
            Price: reader.IsDBNull(5) ? null : reader.GetDouble(5),
            Available: reader.GetInt64(6) != 0,
            ContentHash: reader.GetString(7),
            ModelVersion: reader.GetString(8),
            Vector: MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
            UpdatedAt: DateTimeOffset.ParseExact(reader.GetString(10), "O", CultureInfo.InvariantCulture),
            Retired: reader.GetInt64(11) != 0,
            Lender: reader.IsDBNull(12) ? null : reader.GetString(12),
            Text: reader.IsDBNull(13) ? null : MemoryMarshal.Cast<byte, sbyte>((byte[])reader.GetValue(13)).ToArray());
    }
}

using Microsoft.Data.Sqlite;
using Urm.Core.Cards;

namespace Urm.Core.Tests.Cards;

/// <summary>The store contract on the embedded SQLite file; each test gets its own file.</summary>
public sealed class SqliteCardStoreTests : CardStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-cardstore-").FullName;

    protected override async Task<ICardStore> CreateAsync()
        => await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(Path.Combine(_folder, $"{Guid.NewGuid():N}.db")), default);

    protected override async Task<ICardStore> OpenSecondAsync(ICardStore first)
        => await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(((SqliteCardStore)first).Path), default);

    [Fact]
    public async Task A_store_file_from_before_lenders_opens_keeps_its_cards_and_takes_lenders()
    {
        var path = Path.Combine(_folder, "old.db");
        // The schema as written up to 2026-12-02, with one card in it.
        await WriteOldStoreAsync(path, """
            CREATE TABLE cards (id TEXT NOT NULL PRIMARY KEY, title TEXT NOT NULL, key_points TEXT NULL, category TEXT NULL,
                brand TEXT NULL, price REAL NULL, available INTEGER NOT NULL, content_hash TEXT NOT NULL,
                model_version TEXT NOT NULL, vector BLOB NOT NULL, updated_at TEXT NOT NULL, retired INTEGER NOT NULL,
                version INTEGER NOT NULL);
            CREATE TABLE catalog (singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1), version INTEGER NOT NULL);
            INSERT INTO catalog VALUES (1, 1);
            INSERT INTO cards VALUES ('sku-1', 'One', NULL, NULL, NULL, NULL, 1, 'h', 'm1', x'0000803F', '2026-11-01T10:00:00.0000000+00:00', 0, 1);
            """);

        var store = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(path), default);
        try
        {
            var old = await store.ReadCardAsync("sku-1", default);
            Assert.Equal(("One", 1f, (string?)null), (old!.Title, old.Vector.Single(), old.Lender));
            await store.UpsertAsync([Card("sku-2") with { Lender = "sku-1" }], default);
            Assert.Equal("sku-1", (await store.ReadCardAsync("sku-2", default))!.Lender);
            Assert.Equal(2, await store.GetCatalogVersionAsync(default));
        }
        finally
        {
            store.Dispose();
        }
    }

    [Fact]
    public async Task A_store_file_from_before_card_texts_opens_keeps_its_cards_and_takes_texts()
    {
        var path = Path.Combine(_folder, "before-text.db");
        // The schema as written up to the day cards took their text vector, with one card in it.
        await WriteOldStoreAsync(path, """
            CREATE TABLE cards (id TEXT NOT NULL PRIMARY KEY, title TEXT NOT NULL, key_points TEXT NULL, category TEXT NULL,
                brand TEXT NULL, price REAL NULL, available INTEGER NOT NULL, content_hash TEXT NOT NULL,
                model_version TEXT NOT NULL, vector BLOB NOT NULL, updated_at TEXT NOT NULL, retired INTEGER NOT NULL,
                version INTEGER NOT NULL, lender TEXT NULL);
            CREATE INDEX cards_by_version ON cards (version);
            CREATE TABLE catalog (singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1), version INTEGER NOT NULL);
            INSERT INTO catalog VALUES (1, 1);
            INSERT INTO cards VALUES ('sku-1', 'One', NULL, NULL, NULL, NULL, 1, 'h', 'm1', x'0000803F', '2026-11-01T10:00:00.0000000+00:00', 0, 1, 'sku-0');
            """);

        var store = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(path), default);
        try
        {
            var old = await store.ReadCardAsync("sku-1", default);
            Assert.Equal(("One", 1f, "sku-0", (sbyte[]?)null), (old!.Title, old.Vector.Single(), old.Lender, old.Text));
            await store.UpsertAsync([Card("sku-2") with { Text = TextCodes(3) }], default);
            Assert.Equal(TextCodes(3), (await store.ReadCardAsync("sku-2", default))!.Text);
            Assert.Equal(2, await store.GetCatalogVersionAsync(default));
        }
        finally
        {
            store.Dispose();
        }

        // Opening it again finds the column and leaves the file as it is.
        var again = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(path), default);
        try
        {
            Assert.Equal(TextCodes(3), (await again.ReadCardAsync("sku-2", default))!.Text);
        }
        finally
        {
            again.Dispose();
        }
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT type FROM pragma_table_info('cards') WHERE name = 'text';";
            Assert.Equal("BLOB", await command.ExecuteScalarAsync());
        }
        SqliteConnection.ClearAllPools();
    }

    protected override Task CleanUpAsync(IReadOnlyList<ICardStore> stores)
    {
        foreach (var store in stores.OfType<SqliteCardStore>()) store.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    /// <summary>A store file as an older urm wrote it: <paramref name="schemaAndRows"/> run on a fresh file, the pool cleared.</summary>
    private static async Task WriteOldStoreAsync(string path, string schemaAndRows)
    {
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = schemaAndRows;
            await command.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();
    }
}

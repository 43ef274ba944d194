using Microsoft.Data.Sqlite;
using Urm.Core.Cards;

namespace Urm.Core.Tests.Cards;

/// <summary>The card sets contract on one SQLite file, and the file's layout: the default set in the tables it always had.</summary>
public sealed class SqliteCardSetsTests : CardSetsContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-cardsets-").FullName;
    private readonly Dictionary<ICardSets, string> _paths = [];

    protected override Task<ICardSets> CreateAsync() => Task.FromResult(Open(Path.Combine(_folder, $"{Guid.NewGuid():N}.db")));

    protected override Task<ICardSets> OpenSecondAsync(ICardSets first) => Task.FromResult(Open(_paths[first]));

    protected override Task CleanUpAsync(IReadOnlyList<ICardSets> sets)
    {
        foreach (var set in sets.OfType<SqliteCardSets>()) set.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private ICardSets Open(string path)
    {
        var sets = new SqliteCardSets(new SqliteCardStoreOptions(path));
        _paths[sets] = path;
        return sets;
    }

    [Fact]
    public async Task The_default_set_writes_the_cards_table_and_other_sets_write_tables_of_their_own()
    {
        var sets = await NewAsync();
        await (await sets.OpenAsync("", default)).UpsertAsync([CardStoreContract.Card("sku-default")], default);
        await (await sets.OpenAsync("Model 2!", default)).UpsertAsync([CardStoreContract.Card("sku-m2")], default);

        await using var connection = new SqliteConnection($"Data Source={_paths[sets]}");
        await connection.OpenAsync();

        Assert.Equal(["sku-default"], await ColumnAsync(connection, "SELECT id FROM cards;"));
        Assert.Equal(["1"], await ColumnAsync(connection, "SELECT version FROM catalog;"));
        var tables = await ColumnAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;");
        Assert.Equal(4, tables.Count);
        var m2 = Assert.Single(tables, t => t.StartsWith("cards_model2_", StringComparison.Ordinal));
        Assert.Matches("^cards_model2_[0-9a-f]{8}$", m2);
        Assert.Contains("catalog_" + m2["cards_".Length..], tables);
        Assert.Equal(["sku-m2"], await ColumnAsync(connection, $"SELECT id FROM {m2};"));
    }

    [Fact]
    public async Task Two_names_whose_tables_would_be_the_same_are_not_mixed()
    {
        var sets = await NewAsync();
        // Found by search: FNV-1a gives both 0x785e0f3a, and both keep "model" of their letters and digits.
        var first = await sets.OpenAsync("model. @.-_", default);
        await first.UpsertAsync([CardStoreContract.Card("sku-1")], default);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sets.OpenAsync("model.!~._.", default));

        Assert.Contains("'model.!~._.' and 'model. @.-_' map to the same tables", error.Message, StringComparison.Ordinal);
        Assert.NotNull(await first.ReadCardAsync("sku-1", default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => sets.OpenAsync("model.!~._.", default));
    }

    [Fact]
    public async Task A_store_opened_on_its_own_refuses_a_bad_set_name()
    {
        var path = Path.Combine(_folder, "own.db");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(path, CardSet: "a|b"), default));

        Assert.Contains("'|'", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    private static async Task<List<string>> ColumnAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        return values;
    }
}

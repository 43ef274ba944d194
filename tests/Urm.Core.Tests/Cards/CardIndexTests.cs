using Urm.Core.Cards;

namespace Urm.Core.Tests.Cards;

public sealed class CardIndexTests : IAsyncLifetime
{
    private static readonly CardSpace Space = new("m1", 6);
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-cardindex-").FullName;
    private SqliteCardStore _sqlite = null!;
    private CountingCardStore _store = null!;

    public async Task InitializeAsync()
    {
        _sqlite = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(Path.Combine(_folder, "cards.db")), default);
        _store = new CountingCardStore(_sqlite);
        await _store.UpsertAsync([Card("c"), Card("a"), Card("b")], default);
    }

    public Task DisposeAsync()
    {
        _sqlite.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private CardIndex Index(TimeSpan? interval = null) => new(_store, Space, new CardIndexOptions(interval ?? TimeSpan.Zero));

    private static CardDocument Card(string id, string model = "m1", float seed = 1f) => CardStoreContract.Card(id, model: model, seed: seed);

    [Fact]
    public async Task The_snapshot_holds_the_active_models_cards_in_id_order()
    {
        await _store.UpsertAsync([Card("d", model: "m0")], default);
        using var index = Index();

        var snapshot = await index.GetAsync(default);

        Assert.Equal(["a", "b", "c"], snapshot.Matrix.Ids);
        Assert.Equal(["a", "b", "c"], snapshot.Documents.Select(d => d.Id));
        Assert.Equal(await _store.GetCatalogVersionAsync(default), snapshot.CatalogVersion);
        Assert.Equal("m1", snapshot.ModelVersion);
        Assert.Equal(Card("b").Vector, snapshot.Matrix.Row(1).ToArray());
    }

    [Fact]
    public async Task The_snapshot_serves_each_cards_text_and_none_for_a_card_without()
    {
        await _store.UpsertAsync([Card("b") with { Text = CardStoreContract.TextCodes(4) }], default);
        using var index = Index();

        var documents = (await index.GetAsync(default)).Documents.ToDictionary(d => d.Id);

        Assert.Equal(CardStoreContract.TextCodes(4), documents["b"].Text);
        Assert.Null(documents["a"].Text);
    }

    [Fact]
    public async Task A_write_after_a_snapshot_is_visible_after_the_refresh_and_only_changes_are_read()
    {
        using var index = Index();
        var first = await index.GetAsync(default);

        await _store.UpsertAsync([Card("b", seed: 7f), Card("e")], default);
        var second = await index.GetAsync(default);

        Assert.Equal(["a", "b", "c"], first.Matrix.Ids); // the old snapshot is never changed in place
        Assert.Equal(["a", "b", "c", "e"], second.Matrix.Ids);
        Assert.True(second.Matrix.TryGetRow("b", out var row));
        Assert.Equal(7f, second.Matrix.Row(row)[0]);
        Assert.Equal(2, _store.ChangeReads);
    }

    [Fact]
    public async Task Without_a_version_change_the_store_is_asked_only_for_its_version()
    {
        using var index = Index();
        var first = await index.GetAsync(default);

        var again = await index.GetAsync(default);
        var third = await index.GetAsync(default);

        Assert.Same(first, again);
        Assert.Same(first, third);
        Assert.Equal(3, _store.VersionReads);
        Assert.Equal(1, _store.ChangeReads);
    }

    [Fact]
    public async Task Within_the_check_interval_the_store_is_not_asked_at_all()
    {
        using var index = Index(TimeSpan.FromHours(1));
        var first = await index.GetAsync(default);
        await _store.UpsertAsync([Card("e")], default);

        var again = await index.GetAsync(default);

        Assert.Same(first, again);
        Assert.Equal(1, _store.VersionReads);
    }

    [Fact]
    public async Task Retired_cards_disappear()
    {
        using var index = Index();
        await index.GetAsync(default);

        await _store.RetireAsync(["b"], default);
        var snapshot = await index.GetAsync(default);

        Assert.Equal(["a", "c"], snapshot.Matrix.Ids);
        Assert.False(snapshot.Matrix.TryGetRow("b", out _));
    }

    [Fact]
    public async Task Concurrent_first_callers_trigger_one_refresh()
    {
        using var index = Index();

        var snapshots = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () => await index.GetAsync(default))));

        Assert.Equal(1, _store.ChangeReads);
        Assert.All(snapshots, s => Assert.Same(snapshots[0], s));
    }
}

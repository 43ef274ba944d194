using Urm.Core.Cards;

namespace Urm.Core.Tests.Cards;

/// <summary>
/// What every <see cref="ICardSets"/> must do: sets of one store are independent of each other and of
/// the default set. A store's test class derives from this and says how to open its sets.
/// </summary>
public abstract class CardSetsContract : IAsyncLifetime
{
    private readonly List<ICardSets> _opened = [];

    /// <summary>The sets of a new, empty store.</summary>
    protected abstract Task<ICardSets> CreateAsync();

    /// <summary>A second, independent instance over the same data as <paramref name="first"/> (another process, another server).</summary>
    protected abstract Task<ICardSets> OpenSecondAsync(ICardSets first);

    /// <summary>Releases the sets and what they hold.</summary>
    protected abstract Task CleanUpAsync(IReadOnlyList<ICardSets> sets);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => CleanUpAsync(_opened);

    protected async Task<ICardSets> NewAsync()
    {
        var sets = await CreateAsync();
        _opened.Add(sets);
        return sets;
    }

    protected async Task<ICardSets> SecondAsync(ICardSets first)
    {
        var sets = await OpenSecondAsync(first);
        _opened.Add(sets);
        return sets;
    }

    [Fact]
    public async Task Two_sets_keep_their_own_cards_versions_and_retirements_and_the_default_set_sees_neither()
    {
        var sets = await NewAsync();
        var a = await sets.OpenAsync("A", default);
        var b = await sets.OpenAsync("B", default);
        var standard = await sets.OpenAsync("", default);

        await a.UpsertAsync([CardStoreContract.Card("sku-1", model: "m1", seed: 1f)], default);
        await a.UpsertAsync([CardStoreContract.Card("sku-2", model: "m1", seed: 1f)], default);
        await b.UpsertAsync([CardStoreContract.Card("sku-1", model: "m2", seed: 2f)], default);

        Assert.Equal((1f, "m1"), ((await a.ReadCardAsync("sku-1", default))!.Vector[0], (await a.ReadCardAsync("sku-1", default))!.ModelVersion));
        Assert.Equal((2f, "m2"), ((await b.ReadCardAsync("sku-1", default))!.Vector[0], (await b.ReadCardAsync("sku-1", default))!.ModelVersion));
        Assert.Null(await b.ReadCardAsync("sku-2", default));
        Assert.Equal(2, await a.GetCatalogVersionAsync(default));
        Assert.Equal(1, await b.GetCatalogVersionAsync(default));

        var bVersion = await b.GetCatalogVersionAsync(default);
        await a.RetireAsync(["sku-1"], default);

        Assert.True((await a.ReadCardAsync("sku-1", default))!.Retired);
        Assert.False((await b.ReadCardAsync("sku-1", default))!.Retired);
        Assert.Equal(["sku-2"], (await a.GetStampsAsync(default)).Keys);
        Assert.Equal(["sku-1"], (await b.GetStampsAsync(default)).Keys);
        Assert.Equal(bVersion, await b.GetCatalogVersionAsync(default));
        Assert.Equal(["sku-1"], (await ToListAsync(b.ReadChangedAsync(0, default))).Select(c => c.Id));

        Assert.Equal(0, await standard.GetCatalogVersionAsync(default));
        Assert.Null(await standard.ReadCardAsync("sku-1", default));
        Assert.Empty(await ToListAsync(standard.ReadChangedAsync(0, default)));

        await standard.UpsertAsync([CardStoreContract.Card("sku-9")], default);
        Assert.Null(await a.ReadCardAsync("sku-9", default));
        Assert.Equal(["sku-1", "sku-2"], (await ToListAsync(a.ReadChangedAsync(0, default))).Select(c => c.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_set_is_one_store_per_instance_and_another_instance_finds_its_cards()
    {
        var first = await NewAsync();
        var m2 = await first.OpenAsync("m-2026-12-01", default);
        var version = await m2.UpsertAsync([CardStoreContract.Card("sku-1", model: "m2")], default);

        Assert.Same(m2, await first.OpenAsync("m-2026-12-01", default));
        Assert.NotSame(m2, await first.OpenAsync("M-2026-12-01", default));

        var second = await SecondAsync(first);
        var again = await second.OpenAsync("m-2026-12-01", default);
        Assert.Equal(version, await again.GetCatalogVersionAsync(default));
        Assert.Equal("m2", (await again.ReadCardAsync("sku-1", default))!.ModelVersion);
        Assert.Null(await (await second.OpenAsync("M-2026-12-01", default)).ReadCardAsync("sku-1", default));
    }

    [Fact]
    public async Task Any_name_up_to_100_characters_without_a_bar_or_control_characters_is_a_set()
    {
        var sets = await NewAsync();
        var name = ("Modèle n°2 / 2026-12-01 #3 ?\\ " + new string('x', 100))[..CardSetNames.MaxLength];
        var set = await sets.OpenAsync(name, default);

        await set.UpsertAsync([CardStoreContract.Card("sku-1")], default);

        Assert.NotNull(await set.ReadCardAsync("sku-1", default));
        Assert.Null(await (await sets.OpenAsync("", default)).ReadCardAsync("sku-1", default));
    }

    [Theory]
    [InlineData("m2|b07")]
    [InlineData("|")]
    [InlineData("m2\n")]
    [InlineData("m\0")]
    [InlineData("m\u0085")]
    public async Task A_name_with_a_bar_or_a_control_character_is_refused(string name)
    {
        var sets = await NewAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => sets.OpenAsync(name, default));

        Assert.Equal("cardSet", error.ParamName);
        Assert.Contains("Card set name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_over_100_characters_is_refused()
    {
        var sets = await NewAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => sets.OpenAsync(new string('m', CardSetNames.MaxLength + 1), default));

        Assert.Contains("101 characters", error.Message, StringComparison.Ordinal);
    }

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items) list.Add(item);
        return list;
    }
}

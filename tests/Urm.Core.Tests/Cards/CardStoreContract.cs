using Urm.Core.Cards;

namespace Urm.Core.Tests.Cards;

/// <summary>
/// What every <see cref="ICardStore"/> must do, whatever it is built on. A store's test class derives
/// from this and says only how to open its store (and a second instance on the same data).
/// </summary>
public abstract class CardStoreContract : IAsyncLifetime
{
    private readonly List<ICardStore> _opened = [];

    /// <summary>A new, empty store.</summary>
    protected abstract Task<ICardStore> CreateAsync();

    /// <summary>A second, independent instance over the same data as <paramref name="first"/> (another process, another server).</summary>
    protected abstract Task<ICardStore> OpenSecondAsync(ICardStore first);

    /// <summary>Releases the stores and what they hold.</summary>
    protected abstract Task CleanUpAsync(IReadOnlyList<ICardStore> stores);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => CleanUpAsync(_opened);

    private async Task<ICardStore> NewAsync()
    {
        var store = await CreateAsync();
        _opened.Add(store);
        return store;
    }

    private async Task<ICardStore> SecondAsync(ICardStore first)
    {
        var store = await OpenSecondAsync(first);
        _opened.Add(store);
        return store;
    }

    internal static CardDocument Card(string id, string hash = "h", string model = "m1", float seed = 1f, bool retired = false) => new(
        id, "Title of " + id, "brand: X", "Shoes>Running", "X", 12.5, true, hash, model,
        [seed, -0f, float.Epsilon, 1e-30f, float.MaxValue, BitConverter.Int32BitsToSingle(0x7FC00123)],
        new DateTimeOffset(2026, 11, 1, 10, 0, 0, 123, TimeSpan.FromHours(1)).AddTicks(4567), retired);

    /// <summary>Text codes over the whole int8 range: a store keeps bytes, whatever <see cref="CardText"/> would write.</summary>
    internal static sbyte[] TextCodes(sbyte seed = 1) => [seed, -128, -127, -1, 0, 64, 127];

    [Fact]
    public async Task An_upserted_card_reads_back_equal_with_a_bit_exact_vector()
    {
        var store = await NewAsync();
        var card = Card("sku-1") with { KeyPoints = null, Category = null, Brand = null, Price = null, Available = false, Text = TextCodes() };

        await store.UpsertAsync([card], default);
        var back = await store.ReadCardAsync("sku-1", default);

        Assert.NotNull(back);
        // Records compare arrays by reference: the arrays are compared by content below, the rest here.
        Assert.Equal(card with { Vector = [], Text = null }, back with { Vector = [], Text = null });
        Assert.Equal(card.Vector.Select(BitConverter.SingleToInt32Bits), back.Vector.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(card.Text, back.Text);
        Assert.Null(await store.ReadCardAsync("sku-unknown", default));
    }

    [Fact]
    public async Task A_cards_text_reads_back_through_every_read_a_card_without_one_reads_null_and_a_rewrite_replaces_it()
    {
        var store = await NewAsync();
        var before = await store.GetCatalogVersionAsync(default);
        await store.UpsertAsync([Card("sku-text") with { Text = TextCodes(5) }, Card("sku-plain")], default);

        var all = (await ToListAsync(store.ReadChangedAsync(0, default))).ToDictionary(c => c.Id);
        var changed = (await ToListAsync(store.ReadChangedAsync(before, default))).ToDictionary(c => c.Id);
        var elsewhere = (await ToListAsync((await SecondAsync(store)).ReadChangedAsync(0, default))).ToDictionary(c => c.Id);
        foreach (var read in new[] { all, changed, elsewhere })
        {
            Assert.Equal(TextCodes(5), read["sku-text"].Text);
            Assert.Null(read["sku-plain"].Text);
        }

        // A re-encoded item's card carries its new text, and a card written without one has none.
        var since = await store.GetCatalogVersionAsync(default);
        await store.UpsertAsync([Card("sku-text", hash: "h2") with { Text = TextCodes(-7) }, Card("sku-plain", hash: "h2") with { Text = TextCodes(9) }], default);
        var rewritten = (await ToListAsync(store.ReadChangedAsync(since, default))).ToDictionary(c => c.Id);
        Assert.Equal(TextCodes(-7), rewritten["sku-text"].Text);
        Assert.Equal(TextCodes(9), rewritten["sku-plain"].Text);
        await store.UpsertAsync([Card("sku-text", hash: "h3")], default);
        Assert.Null((await store.ReadCardAsync("sku-text", default))!.Text);
    }

    [Fact]
    public async Task A_cards_lender_reads_back_and_a_rewrite_without_one_clears_it()
    {
        var store = await NewAsync();
        await store.UpsertAsync([Card("sku-new") with { Lender = "sku-twin" }, Card("sku-old")], default);

        var read = new Dictionary<string, CardDocument>();
        await foreach (var card in store.ReadChangedAsync(0, default)) read[card.Id] = card;
        Assert.Equal("sku-twin", read["sku-new"].Lender);
        Assert.Null(read["sku-old"].Lender);

        // A model that learned the item's own ID embedding re-fuses it without a lender.
        await store.UpsertAsync([Card("sku-new", model: "m2")], default);
        Assert.Null((await store.ReadCardAsync("sku-new", default))!.Lender);
    }

    [Fact]
    public async Task The_version_rises_on_every_write_and_never_on_a_read()
    {
        var store = await NewAsync();
        var v0 = await store.GetCatalogVersionAsync(default);

        var v1 = await store.UpsertAsync([Card("a"), Card("b")], default);
        var v2 = await store.UpsertAsync([Card("a", hash: "h2")], default);
        var v3 = await store.RetireAsync(["b"], default);
        await store.GetStampsAsync(default);
        await foreach (var _ in store.ReadChangedAsync(0, default)) { }

        Assert.True(v0 < v1 && v1 < v2 && v2 < v3, $"{v0} {v1} {v2} {v3}");
        Assert.Equal(v3, await store.GetCatalogVersionAsync(default));
    }

    [Fact]
    public async Task Changes_since_a_version_are_exactly_the_cards_written_after_it_retired_ones_included()
    {
        var store = await NewAsync();
        await store.UpsertAsync([Card("a"), Card("b"), Card("c")], default);
        var since = await store.GetCatalogVersionAsync(default);
        await store.UpsertAsync([Card("a", hash: "h2")], default);
        await store.RetireAsync(["b"], default);

        var changed = await ToListAsync(store.ReadChangedAsync(since, default));
        var all = await ToListAsync(store.ReadChangedAsync(0, default));

        Assert.Equal(["a", "b"], changed.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Equal("h2", changed.Single(c => c.Id == "a").ContentHash);
        Assert.True(changed.Single(c => c.Id == "b").Retired);
        Assert.Equal(["a", "b", "c"], all.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Empty(await ToListAsync(store.ReadChangedAsync(await store.GetCatalogVersionAsync(default), default)));
    }

    [Fact]
    public async Task Stamps_leave_retired_cards_out()
    {
        var store = await NewAsync();
        await store.UpsertAsync([Card("a", hash: "ha", model: "m1"), Card("b", hash: "hb", model: "m2")], default);
        await store.RetireAsync(["a"], default);

        var stamps = await store.GetStampsAsync(default);

        Assert.Equal(["b"], stamps.Keys);
        Assert.Equal(("hb", "m2"), stamps["b"]);
    }

    [Fact]
    public async Task Retiring_an_unknown_or_already_retired_id_is_a_no_op()
    {
        var store = await NewAsync();
        await store.UpsertAsync([Card("a")], default);
        await store.RetireAsync(["a"], default);
        var before = await store.GetCatalogVersionAsync(default);

        var after = await store.RetireAsync(["nope", "a"], default);

        Assert.Equal(before, after);
        Assert.Equal(before, await store.GetCatalogVersionAsync(default));
        Assert.Null(await store.ReadCardAsync("nope", default));
    }

    [Fact]
    public async Task An_upsert_of_a_retired_card_brings_it_back()
    {
        var store = await NewAsync();
        await store.UpsertAsync([Card("a")], default);
        await store.RetireAsync(["a"], default);

        await store.UpsertAsync([Card("a", hash: "back")], default);

        Assert.False((await store.ReadCardAsync("a", default))!.Retired);
        Assert.Equal("back", (await store.GetStampsAsync(default))["a"].ContentHash);
    }

    [Fact]
    public async Task Concurrent_upserts_from_two_instances_lose_nothing()
    {
        var first = await NewAsync();
        var second = await SecondAsync(first);
        const int batches = 20, perBatch = 5;

        async Task WriteAsync(ICardStore store, string prefix)
        {
            for (var b = 0; b < batches; b++)
                await store.UpsertAsync(Enumerable.Range(0, perBatch).Select(i => Card($"{prefix}-{b}-{i}")).ToList(), default);
        }
        var start = await first.GetCatalogVersionAsync(default);
        await Task.WhenAll(Task.Run(() => WriteAsync(first, "x")), Task.Run(() => WriteAsync(second, "y")));

        var all = await ToListAsync(first.ReadChangedAsync(0, default));
        Assert.Equal(2 * batches * perBatch, all.Select(c => c.Id).Distinct().Count());
        Assert.Equal(start + 2 * batches, await second.GetCatalogVersionAsync(default));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items) list.Add(item);
        return list;
    }
}

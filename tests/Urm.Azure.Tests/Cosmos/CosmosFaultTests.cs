using Urm.Azure.Cosmos;
using Urm.Azure.Tests.Servers;
using Urm.Core.Cards;
using Urm.Core.Tests.Cards;

namespace Urm.Azure.Tests.Cosmos;

/// <summary>Throttling and a server that goes away in the middle of an encoding run.</summary>
public sealed class CosmosFaultTests : IAsyncLifetime
{
    private CosmosStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await CosmosStandIn.CreateAsync();

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    [Fact]
    public async Task Throttled_writes_are_retried_after_the_servers_retry_after_and_counted_in_the_run_log()
    {
        var transport = new StandInTransport();
        var logger = new ListLogger<CosmosCardStore>();
        var time = new RecordedDelays();
        using var store = _standIn.Store(_standIn.Options(o => o.WriteConcurrency = 1), transport, logger, time);
        transport.ThrottleUpserts(3, TimeSpan.FromMilliseconds(250));

        await store.UpsertAsync(Enumerable.Range(0, 10).Select(i => CardStoreContract.Card($"t-{i}")).ToList(), default);

        Assert.Equal(3, transport.Throttled);
        // Each throttled request waited the server's retry-after before it was sent again.
        Assert.Equal([TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250)], time.Delays.Where(d => d > TimeSpan.Zero));
        Assert.Equal(3, store.Totals.Throttled);
        Assert.True(store.Totals.RequestCharge > 0);
        Assert.Contains(logger.Entries, e => e.Message.Contains("upsert: 10 cards", StringComparison.Ordinal) && e.Message.Contains("3 retries (3 throttled", StringComparison.Ordinal));
        await foreach (var _ in store.ReadChangedAsync(0, default)) { }
        Assert.Equal(10, (await store.GetStampsAsync(default)).Count);
    }

    [Fact]
    public async Task Throttling_past_the_retry_limit_fails_the_call_with_what_came_back_and_what_to_do()
    {
        var transport = new StandInTransport();
        using var store = _standIn.Store(_standIn.Options(o => o.MaxRetries = 2), transport);
        transport.ThrottleUpserts(1_000, TimeSpan.FromMilliseconds(10));

        var error = await Assert.ThrowsAsync<CardStoreUnavailableException>(() => store.UpsertAsync([CardStoreContract.Card("a")], default));

        Assert.Contains("upsert of card 'a' after 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("429", error.Message, StringComparison.Ordinal);
        Assert.Contains("CardStore__MaxRetries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_gone_mid_run_fails_the_run_clearly_and_a_rerun_completes_it_with_nothing_lost_or_duplicated()
    {
        var catalog = Enumerable.Range(0, 60).Select(i => CardStoreContract.Card($"sku-{i:D2}", hash: $"h{i}")).ToList();
        var options = _standIn.Options(o => { o.MaxRetries = 2; o.WriteLease = TimeSpan.FromSeconds(2); });
        var transport = new StandInTransport();
        using (var store = _standIn.Store(options, transport))
        {
            transport.GoDownAfterUpserts(25);
            var error = await Assert.ThrowsAsync<CardStoreUnavailableException>(() => EncodeAsync(store, catalog));
            Assert.Contains("did not accept", error.Message, StringComparison.Ordinal);
            Assert.Contains("run again", error.Message, StringComparison.Ordinal);
        }

        // The server is back; the encoder runs again in a new process.
        transport.Restore();
        using var rerun = _standIn.Store(options);
        var stored = (await rerun.GetStampsAsync(default)).Count;
        var (written, lastVersion) = await EncodeAsync(rerun, catalog);

        Assert.InRange(stored, 1, 59);
        Assert.Equal(60 - stored, written);
        var all = new List<CardDocument>();
        await foreach (var card in rerun.ReadChangedAsync(0, default)) all.Add(card);
        Assert.Equal(catalog.Select(c => c.Id), all.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.All(all, c => Assert.Equal(catalog.Single(x => x.Id == c.Id).ContentHash, c.ContentHash));

        // The failed run's reservation could not be cleared (its server was gone): it holds readers back
        // until the write lease runs out, and then they see the rerun's last version.
        await Task.Delay(options.WriteLease + TimeSpan.FromMilliseconds(200));
        Assert.Equal(lastVersion, await rerun.GetCatalogVersionAsync(default));
    }

    /// <summary>What CatalogEncoder does to a store: skip what is stored unchanged, upsert the rest in batches of 10.</summary>
    private static async Task<(int Written, long LastVersion)> EncodeAsync(ICardStore store, IReadOnlyList<CardDocument> catalog)
    {
        var stamps = await store.GetStampsAsync(default);
        var changed = catalog.Where(c => !stamps.TryGetValue(c.Id, out var s) || s.ContentHash != c.ContentHash).ToList();
        long last = 0;
        foreach (var batch in changed.Chunk(10)) last = await store.UpsertAsync(batch, default);
        return (changed.Count, last);
    }
}

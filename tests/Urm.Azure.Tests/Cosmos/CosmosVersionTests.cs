using Urm.Azure.Cosmos;
using Urm.Azure.Tests.Servers;
using Urm.Core.Cards;
using Urm.Core.Tests.Cards;

namespace Urm.Azure.Tests.Cosmos;

/// <summary>The catalog version document under concurrent writers, as serving instances read it.</summary>
public sealed class CosmosVersionTests : IAsyncLifetime
{
    private CosmosStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await CosmosStandIn.CreateAsync();

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    [Fact]
    public async Task Two_encoders_racing_get_distinct_versions_and_a_following_reader_misses_no_card()
    {
        using var first = _standIn.Store();
        using var second = _standIn.Store();
        using var reader = _standIn.Store();
        const int batches = 12, perBatch = 4;
        var returned = new System.Collections.Concurrent.ConcurrentBag<long>();

        async Task EncodeAsync(ICardStore store, string prefix)
        {
            for (var b = 0; b < batches; b++)
                returned.Add(await store.UpsertAsync(Enumerable.Range(0, perBatch).Select(i => CardStoreContract.Card($"{prefix}-{b}-{i}")).ToList(), default));
        }

        // A serving instance refreshing all along, the way CardIndex does: version first, then changes since its last one.
        var seen = new Dictionary<string, CardDocument>(StringComparer.Ordinal);
        var writing = Task.WhenAll(Task.Run(() => EncodeAsync(first, "x")), Task.Run(() => EncodeAsync(second, "y")));
        long known = 0;
        while (true)
        {
            var done = writing.IsCompleted;
            var version = await reader.GetCatalogVersionAsync(default);
            await foreach (var card in reader.ReadChangedAsync(known, default)) seen[card.Id] = card;
            known = version;
            if (done) break;
        }
        await writing;

        Assert.Equal(2 * batches, returned.Distinct().Count());
        Assert.Equal(2 * batches, await reader.GetCatalogVersionAsync(default));
        Assert.Equal(2 * batches * perBatch, seen.Count);
        Assert.True(first.Totals.VersionConflicts + second.Totals.VersionConflicts > 0, "the two writers never raced on the version document; the test proved nothing");
    }

    [Fact]
    public async Task A_slow_write_holds_the_visible_version_below_its_own_until_its_cards_are_in()
    {
        var slowTransport = new StandInTransport();
        using var slow = _standIn.Store(transport: slowTransport);
        using var fast = _standIn.Store();
        var slowCard = CardStoreContract.Card("slow-1");
        var fastCard = Enumerable.Range(0, 100).Select(i => CardStoreContract.Card($"fast-{i}"))
            .First(c => CardPartitions.For(c.Id) != CardPartitions.For(slowCard.Id));

        slowTransport.HoldUpsertsTo(CardPartitions.For(slowCard.Id));
        var slowWrite = slow.UpsertAsync([slowCard], default);
        await slowTransport.Held.WaitAsync(TimeSpan.FromSeconds(30));
        var fastVersion = await fast.UpsertAsync([fastCard], default);

        // The fast writer finished at version 2, but version 1 is still being written: a reader that moved
        // to 2 now would never read slow-1 (it asks only for versions above 2 next time).
        Assert.Equal(2, fastVersion);
        Assert.Equal(0, await fast.GetCatalogVersionAsync(default));

        slowTransport.ReleaseHeld();
        Assert.Equal(1, await slowWrite);
        Assert.Equal(2, await fast.GetCatalogVersionAsync(default));
        var changed = new List<string>();
        await foreach (var card in fast.ReadChangedAsync(0, default)) changed.Add(card.Id);
        Assert.Equal(new[] { fastCard.Id, "slow-1" }.Order(StringComparer.Ordinal), changed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_abandoned_reservation_stops_holding_readers_back_after_the_write_lease()
    {
        var time = new ManualTime();
        var transport = new StandInTransport();
        var options = _standIn.Options(o => { o.MaxRetries = 0; o.WriteLease = TimeSpan.FromMinutes(5); });
        using var crashing = _standIn.Store(options, transport, time: time);
        using var other = _standIn.Store(options, time: time);
        await other.UpsertAsync([CardStoreContract.Card("a")], default);

        // The writer's server goes away after its reservation: it cannot write its card, nor clear the reservation.
        transport.GoDownAfterUpserts(0);
        await Assert.ThrowsAsync<CardStoreUnavailableException>(() => crashing.UpsertAsync([CardStoreContract.Card("b")], default));
        var after = await other.UpsertAsync([CardStoreContract.Card("c")], default);

        Assert.Equal(3, after);
        Assert.Equal(1, await other.GetCatalogVersionAsync(default));
        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(3, await other.GetCatalogVersionAsync(default));
    }
}

using Urm.Azure.Cosmos;
using Urm.Azure.Tests.Servers;
using Urm.Core.Cards;
using Urm.Core.Tests.Cards;

namespace Urm.Azure.Tests.Cosmos;

/// <summary>The store contract on a card set other than the default, on the Cosmos DB stand-in; each new store gets its own database.</summary>
public sealed class CosmosCardStoreInASetContractTests : CardStoreContract
{
    private const string Set = "m-2026-12-01 (next)";
    private readonly Dictionary<ICardStore, CosmosStandIn> _databases = [];

    protected override async Task<ICardStore> CreateAsync()
    {
        var standIn = await CosmosStandIn.CreateAsync();
        var store = standIn.Store(cardSet: Set);
        _databases[store] = standIn;
        return store;
    }

    protected override Task<ICardStore> OpenSecondAsync(ICardStore first)
    {
        var standIn = _databases[first];
        var store = standIn.Store(cardSet: ((CosmosCardStore)first).CardSet);
        _databases[store] = standIn;
        return Task.FromResult<ICardStore>(store);
    }

    protected override async Task CleanUpAsync(IReadOnlyList<ICardStore> stores)
    {
        foreach (var store in stores.OfType<CosmosCardStore>()) store.Dispose();
        foreach (var standIn in _databases.Values.Distinct()) await standIn.DisposeAsync();
    }
}

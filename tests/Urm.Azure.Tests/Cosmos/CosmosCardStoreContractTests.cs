using Urm.Azure.Cosmos;
using Urm.Azure.Tests.Servers;
using Urm.Core.Cards;
using Urm.Core.Tests.Cards;

namespace Urm.Azure.Tests.Cosmos;

/// <summary>The store contract on the Cosmos DB stand-in; each new store gets its own database.</summary>
public sealed class CosmosCardStoreContractTests : CardStoreContract
{
    private readonly Dictionary<ICardStore, CosmosStandIn> _databases = [];

    protected override async Task<ICardStore> CreateAsync()
    {
        var standIn = await CosmosStandIn.CreateAsync();
        var store = standIn.Store();
        _databases[store] = standIn;
        return store;
    }

    protected override Task<ICardStore> OpenSecondAsync(ICardStore first)
    {
        var standIn = _databases[first];
        var store = standIn.Store();
        _databases[store] = standIn;
        return Task.FromResult<ICardStore>(store);
    }

    protected override async Task CleanUpAsync(IReadOnlyList<ICardStore> stores)
    {
        foreach (var store in stores.OfType<CosmosCardStore>()) store.Dispose();
        foreach (var standIn in _databases.Values.Distinct()) await standIn.DisposeAsync();
    }
}

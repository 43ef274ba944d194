using Urm.Azure.Cosmos;
using Urm.Azure.Tests.Servers;
using Urm.Core.Profiles;
using Urm.Core.Tests.Profiles;

namespace Urm.Azure.Tests.Cosmos;

/// <summary>The profile store contract on the Cosmos DB stand-in; each store gets its own database.</summary>
public sealed class CosmosProfileStoreContractTests : ProfileStoreContract
{
    private readonly List<(CosmosStandIn StandIn, CosmosProfileStore Store)> _opened = [];

    protected override async Task<IProfileStore> CreateAsync(ProfileOptions options, TimeProvider time)
    {
        var standIn = await CosmosStandIn.CreateAsync();
        var store = await standIn.ProfileStoreAsync(options, time);
        _opened.Add((standIn, store));
        return store;
    }

    protected override async Task CleanUpAsync()
    {
        foreach (var (standIn, store) in _opened)
        {
            store.Dispose();
            await standIn.DisposeAsync();
        }
    }

}

using Microsoft.Azure.Cosmos;
using Urm.Azure.Tests.Servers;

namespace Urm.Azure.Tests.Cosmos;

/// <summary>A store pointed at a container that is missing or keyed otherwise says so before it writes anything.</summary>
public sealed class CosmosContainerCheckTests : IAsyncLifetime
{
    private CosmosStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await CosmosStandIn.CreateAsync();

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    [Fact]
    public async Task A_missing_container_is_named_with_how_to_create_it()
    {
        using var store = _standIn.Store(_standIn.Options(o => o.Container = "nope"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetCatalogVersionAsync(default));

        Assert.Contains($"has no container 'nope' in database '{_standIn.Database}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("CardStore__Container", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_container_keyed_by_another_path_is_refused()
    {
        await _standIn.CreateContainerAsync(new ContainerProperties("by-id", "/id"));
        using var store = _standIn.Store(_standIn.Options(o => o.Container = "by-id"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.UpsertAsync([Urm.Core.Tests.Cards.CardStoreContract.Card("a")], default));

        Assert.Contains("partitioned by '/id', but the card store needs '/pk'", error.Message, StringComparison.Ordinal);
    }
}

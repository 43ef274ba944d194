using System.Net;
using Microsoft.Azure.Cosmos;

namespace Urm.Azure.Cosmos;

/// <summary>
/// The start-of-use check of a container the app's stores need: it exists and is partitioned by <c>/pk</c>.
/// The app's identity has data-plane rights only, so it cannot create one; the message says what to deploy or set.
/// </summary>
internal static class CosmosContainerCheck
{
    /// <param name="setting">The setting that names the container (e.g. CardStore__Container).</param>
    /// <param name="store">The store in words, for the message (e.g. "card store").</param>
    public static async Task RequireAsync(CosmosRun run, CosmosClient client, Container container, string database, string name, string setting, string store, CancellationToken cancellationToken)
    {
        ContainerProperties properties;
        try
        {
            properties = (await run.ExecuteAsync($"read of container {database}/{name}",
                ct => container.ReadContainerAsync(cancellationToken: ct), r => r.RequestCharge, cancellationToken).ConfigureAwait(false)).Resource;
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.NotFound)
        {
            throw new InvalidOperationException(
                $"Cosmos DB at {client.Endpoint} has no container '{name}' in database '{database}'. " +
                $"Deploy bicep/main.bicep (it creates both), or set CardStore__Database and {setting} to the ones that exist.", e);
        }
        if (properties.PartitionKeyPath != "/pk")
            throw new InvalidOperationException(
                $"Cosmos DB container {database}/{name} is partitioned by '{properties.PartitionKeyPath}', but the {store} needs '/pk'. " +
                "Create the container with partition key /pk (bicep/modules/cosmos.bicep does).");
    }
}

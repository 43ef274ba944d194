using Microsoft.Azure.Cosmos;

namespace Urm.Azure.Tests.Servers;

/// <summary>
/// The stand-in as infra/local/servers.sh starts it. Unpatched, it wrote resource ids as plain base64, so
/// one database in every 64 had a '/' in its id and every query there failed with 404 "stale cache"
/// (the SDK puts the id in the request path): whichever test drew that database failed, now and then.
/// </summary>
public sealed class CosmosStandInTests : IAsyncLifetime
{
    private CosmosStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await CosmosStandIn.CreateAsync();

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    [Fact]
    public async Task Sixty_four_databases_in_a_row_each_answer_a_query_in_a_partition()
    {
        var client = _standIn.RawClient();
        var prefix = "urm-rid-" + Guid.NewGuid().ToString("N")[..8];
        // 64 in a row always include the server's 64k-th database, whatever came before them.
        for (var i = 0; i < 64; i++)
        {
            var database = (await client.CreateDatabaseAsync($"{prefix}-{i}")).Database;
            try
            {
                var container = (await database.CreateContainerAsync(new ContainerProperties("cards", "/pk"))).Container;
                await container.UpsertItemAsync(new { id = "sku-1", pk = "p1" }, new PartitionKey("p1"));
                var query = container.GetItemQueryIterator<dynamic>(
                    new QueryDefinition("SELECT * FROM c WHERE c.pk = @pk").WithParameter("@pk", "p1"),
                    requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey("p1") });
                var found = 0;
                while (query.HasMoreResults) found += (await query.ReadNextAsync()).Count;
                Assert.True(found == 1, $"database {i} of 64 ({database.Id}) answered {found} items, expected 1");
            }
            finally
            {
                await database.DeleteAsync();
            }
        }
    }
}

using Urm.Azure.Cosmos;
using Urm.Azure.Tests.Servers;
using Urm.Core.Kpi;
using Urm.Core.Tests.Kpi;

namespace Urm.Azure.Tests.Cosmos;

/// <summary>The recommendation log contract on the Cosmos DB stand-in; each log gets its own database.</summary>
public sealed class CosmosRecommendationLogContractTests : RecommendationLogContract
{
    private readonly List<(CosmosStandIn StandIn, CosmosRecommendationLog Log)> _opened = [];

    protected override async Task<IRecommendationLog> CreateAsync()
    {
        var standIn = await CosmosStandIn.CreateAsync();
        var log = await standIn.RecommendationLogAsync();
        _opened.Add((standIn, log));
        return log;
    }

    protected override async Task CleanUpAsync()
    {
        foreach (var (standIn, log) in _opened)
        {
            log.Dispose();
            await standIn.DisposeAsync();
        }
    }

    [Fact]
    public void A_record_is_partitioned_by_its_utc_day_and_one_of_sixteen_buckets()
    {
        var partition = CosmosRecommendationLog.PartitionOf("r-0123456789abcdef", new DateTimeOffset(2026, 5, 2, 0, 30, 0, TimeSpan.FromHours(2)));
        Assert.Matches(@"^2026-05-01\|b(0[0-9]|1[0-5])$", partition);
        Assert.Equal(16, Enumerable.Range(0, 400).Select(i => CosmosRecommendationLog.PartitionOf($"r-{i:x16}", T0)).Distinct().Count());
    }

    [Fact]
    public async Task A_record_carries_the_ttl_of_the_setting()
    {
        var standIn = await CosmosStandIn.CreateAsync();
        var log = await standIn.RecommendationLogAsync(TimeSpan.FromDays(90));
        _opened.Add((standIn, log));
        var record = new RecommendationRecord("r-ttl", T0, "m1", "next-item", null, null, 1, ["a"]);
        await log.RecordAsync(record, default);

        var container = standIn.RawClient().GetContainer(standIn.Database, CosmosStandIn.RecommendationsContainer);
        var stored = await container.ReadItemAsync<System.Text.Json.Nodes.JsonObject>("r-ttl", new Microsoft.Azure.Cosmos.PartitionKey(CosmosRecommendationLog.PartitionOf("r-ttl", T0)));
        Assert.Equal(90 * 24 * 3600, (int)stored.Resource["ttl"]!);
    }

    [Fact]
    public async Task An_erasure_keeps_the_records_expiry_and_takes_the_shoppers_marks_away()
    {
        var standIn = await CosmosStandIn.CreateAsync();
        var log = await standIn.RecommendationLogAsync(TimeSpan.FromDays(90));
        _opened.Add((standIn, log));
        // Served ten days ago: a replace restarts Cosmos DB's ttl clock, so the record must get what is left, 80 days.
        var served = DateTimeOffset.UtcNow.AddDays(-10);
        await log.RecordAsync(new RecommendationRecord("r-old", served, "m1", "next-item", "u-1", "s-1", 1, ["a"]), default);
        var container = standIn.RawClient().GetContainer(standIn.Database, CosmosStandIn.RecommendationsContainer);
        async Task<int> MarksAsync(string partition)
        {
            using var pages = container.GetItemQueryIterator<System.Text.Json.Nodes.JsonObject>(
                new Microsoft.Azure.Cosmos.QueryDefinition("SELECT * FROM c WHERE c.pk = @pk").WithParameter("@pk", partition),
                requestOptions: new Microsoft.Azure.Cosmos.QueryRequestOptions { PartitionKey = new Microsoft.Azure.Cosmos.PartitionKey(partition) });
            var count = 0;
            while (pages.HasMoreResults) count += (await pages.ReadNextAsync()).Count;
            return count;
        }
        Assert.Equal((1, 1), (await MarksAsync("shopper|user:u-1"), await MarksAsync("shopper|session:s-1")));

        Assert.Equal(1, await log.EraseShopperAsync("u-1", new HashSet<string> { "s-1" }, default));

        var stored = (await container.ReadItemAsync<System.Text.Json.Nodes.JsonObject>("r-old", new Microsoft.Azure.Cosmos.PartitionKey(CosmosRecommendationLog.PartitionOf("r-old", served)))).Resource;
        Assert.Null(stored["userId"]);
        Assert.Null(stored["sessionId"]);
        // A minute of slack for the time between the record, the erasure and this read.
        Assert.InRange((int)stored["ttl"]!, 80 * 24 * 3600 - 60, 80 * 24 * 3600);
        Assert.Equal((0, 0), (await MarksAsync("shopper|user:u-1"), await MarksAsync("shopper|session:s-1")));
    }
}

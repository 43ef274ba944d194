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
}

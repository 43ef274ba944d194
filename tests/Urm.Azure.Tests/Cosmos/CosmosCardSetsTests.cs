using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Urm.Azure.Cosmos;
using Urm.Azure.Tests.Servers;
using Urm.Core.Cards;
using Urm.Core.Tests.Cards;

namespace Urm.Azure.Tests.Cosmos;

/// <summary>The card sets contract on the Cosmos DB stand-in, and the container's layout: the default set in the partitions it always had.</summary>
public sealed class CosmosCardSetsTests : CardSetsContract
{
    private readonly Dictionary<ICardSets, CosmosStandIn> _databases = [];

    protected override async Task<ICardSets> CreateAsync()
    {
        var standIn = await CosmosStandIn.CreateAsync();
        var sets = standIn.Sets();
        _databases[sets] = standIn;
        return sets;
    }

    protected override Task<ICardSets> OpenSecondAsync(ICardSets first)
    {
        var standIn = _databases[first];
        var sets = standIn.Sets();
        _databases[sets] = standIn;
        return Task.FromResult<ICardSets>(sets);
    }

    protected override async Task CleanUpAsync(IReadOnlyList<ICardSets> sets)
    {
        foreach (var set in sets.OfType<CosmosCardSets>()) set.Dispose();
        foreach (var standIn in _databases.Values.Distinct()) await standIn.DisposeAsync();
    }

    [Fact]
    public async Task The_default_set_keeps_partitions_b00_to_b63_and_catalog_and_another_set_prefixes_its_own()
    {
        var sets = await NewAsync();
        await (await sets.OpenAsync("", default)).UpsertAsync([CardStoreContract.Card("sku-1", model: "m1")], default);
        await (await sets.OpenAsync("m2", default)).UpsertAsync([CardStoreContract.Card("sku-1", model: "m2")], default);
        var raw = _databases[sets].Raw();
        var bucket = CardPartitions.For("sku-1");

        var standard = await ReadAsync(raw, "sku-1", bucket);
        var m2 = await ReadAsync(raw, "sku-1", "m2|" + bucket);

        Assert.Matches("^b[0-9]{2}$", bucket);
        Assert.Equal((bucket, "m1"), (standard!.Value.GetProperty("pk").GetString(), standard.Value.GetProperty("modelVersion").GetString()));
        Assert.Equal(("m2|" + bucket, "m2"), (m2!.Value.GetProperty("pk").GetString(), m2.Value.GetProperty("modelVersion").GetString()));
        Assert.Equal(1, (await ReadAsync(raw, "catalog-version", "catalog"))!.Value.GetProperty("reserved").GetInt64());
        Assert.Equal(1, (await ReadAsync(raw, "catalog-version", "m2|catalog"))!.Value.GetProperty("reserved").GetInt64());
        Assert.Null(await ReadAsync(raw, "sku-1", "m3|" + bucket));
    }

    [Fact]
    public void Partitions_of_the_default_set_are_the_old_ones_and_a_sets_are_prefixed_with_its_name()
    {
        Assert.Equal(CardPartitions.For("sku-1"), CardPartitions.For("sku-1", ""));
        Assert.Equal("m2|" + CardPartitions.For("sku-1"), CardPartitions.For("sku-1", "m2"));
        Assert.Same(CardPartitions.Buckets, CardPartitions.BucketsFor(""));
        Assert.Equal(CardPartitions.Buckets.Select(b => "m2|" + b), CardPartitions.BucketsFor("m2"));
        Assert.Equal(("b00", "b63"), (CardPartitions.Buckets[0], CardPartitions.Buckets[^1]));
        Assert.Equal(("catalog", "catalog", "m2|catalog"), (CardPartitions.CatalogPartition, CardPartitions.CatalogPartitionFor(""), CardPartitions.CatalogPartitionFor("m2")));
        Assert.Throws<ArgumentException>(() => CardPartitions.For("sku-1", "m|2"));
        Assert.Throws<ArgumentException>(() => CardPartitions.BucketsFor("m\t2"));
    }

    private static async Task<JsonElement?> ReadAsync(Microsoft.Azure.Cosmos.Container raw, string id, string pk)
    {
        try
        {
            return (await raw.ReadItemAsync<JsonElement>(id, new PartitionKey(pk))).Resource;
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}

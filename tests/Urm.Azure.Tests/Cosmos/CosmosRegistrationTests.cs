using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Urm.Azure.Cosmos;
using Urm.Core.Cards;

namespace Urm.Azure.Tests.Cosmos;

/// <summary>AddUrmCosmosCardStore: the CardStore__* settings bound, checked, and the store registered once.</summary>
public sealed class CosmosRegistrationTests
{
    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddUrmCosmosCardStore(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Settings_are_bound_and_the_store_is_one_singleton_behind_ICardStore()
    {
        using var provider = Provider(new()
        {
            ["CardStore:CosmosEndpoint"] = "https://cosmos-urm-x.documents.azure.com:443/",
            ["CardStore:Database"] = "db1",
            ["CardStore:Container"] = "cards1",
            ["CardStore:BulkExecution"] = "false",
            ["CardStore:WriteConcurrency"] = "16",
            ["CardStore:WriteLease"] = "00:02:00",
        });

        var options = provider.GetRequiredService<IOptions<CosmosCardStoreOptions>>().Value;

        Assert.Equal((new Uri("https://cosmos-urm-x.documents.azure.com:443/"), "db1", "cards1", false, 16, TimeSpan.FromMinutes(2)),
            (options.CosmosEndpoint, options.Database, options.Container, options.BulkExecution, options.WriteConcurrency, options.WriteLease));
        Assert.Same(provider.GetRequiredService<CosmosCardStore>(), provider.GetRequiredService<ICardStore>());
    }

    [Fact]
    public async Task Card_sets_are_one_singleton_behind_ICardSets_beside_the_store()
    {
        using var provider = Provider(new() { ["CardStore:CosmosEndpoint"] = "https://cosmos-urm-x.documents.azure.com:443/" });

        var sets = provider.GetRequiredService<ICardSets>();
        var m2 = await sets.OpenAsync("m2", default);

        Assert.Same(provider.GetRequiredService<CosmosCardSets>(), sets);
        Assert.Equal("m2", Assert.IsType<CosmosCardStore>(m2).CardSet);
        Assert.Same(m2, await sets.OpenAsync("m2", default));
        Assert.Equal("", provider.GetRequiredService<CosmosCardStore>().CardSet);
        Assert.Same(provider.GetRequiredService<CosmosCardStore>(), provider.GetRequiredService<ICardStore>());
    }

    [Fact]
    public void Defaults_are_the_deployed_names_with_bulk_on()
    {
        var options = new CosmosCardStoreOptions();

        Assert.Equal(("urm", "cards", true), (options.Database, options.Container, options.BulkExecution));
        Assert.True(CosmosCardStore.ClientOptions(options).AllowBulkExecution);
        Assert.Equal(0, CosmosCardStore.ClientOptions(options).MaxRetryAttemptsOnRateLimitedRequests);
    }

    [Fact]
    public void Wrong_settings_are_refused_naming_each_setting()
    {
        using var provider = Provider(new() { ["CardStore:Container"] = "", ["CardStore:WriteConcurrency"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CosmosCardStoreOptions>>().Value);

        Assert.Contains(error.Failures, f => f.StartsWith("CardStore__CosmosEndpoint must be the Cosmos DB account endpoint", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("CardStore__Container is empty", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("CardStore__WriteConcurrency is 0", StringComparison.Ordinal));
    }

    [Fact]
    public void A_connection_string_stands_in_for_the_endpoint_on_emulators()
    {
        var options = new CosmosCardStoreOptions { ConnectionString = "AccountEndpoint=https://127.0.0.1:8081/;AccountKey=a2V5;" };

        Assert.Empty(CosmosCardStoreOptionsValidator.Problems(options));
        using var client = CosmosCardStore.CreateClient(options);
        Assert.Equal(new Uri("https://127.0.0.1:8081/"), client.Endpoint);
    }
}

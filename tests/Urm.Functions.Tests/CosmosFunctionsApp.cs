using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Urm.Azure.Tests.Servers;
using Urm.Core.Kpi;
using Urm.Core.Profiles;

namespace Urm.Functions.Tests;

/// <summary>
/// The services AddUrmFunctions composes with CardStore__Kind cosmos, over the Cosmos DB stand-in's profiles
/// and recommendations containers and Azurite's event archive: what the HTTP functions on shopper data run on.
/// </summary>
internal static class CosmosFunctionsApp
{
    /// <param name="profiles">The profile options, also given to the app as Profiles__*; null: the defaults.</param>
    /// <param name="recordsTtl">How long recommendation records live; null: the stand-in's default.</param>
    public static async Task<ServiceProvider> BuildAsync(CosmosStandIn cosmos, ProfileOptions? profiles = null, TimeSpan? recordsTtl = null)
    {
        var options = cosmos.Options();
        var settings = new Dictionary<string, string?>
        {
            ["CardStore:Kind"] = "cosmos",
            ["CardStore:ConnectionString"] = options.ConnectionString,
            ["CardStore:Database"] = options.Database,
            ["CardStore:BulkExecution"] = "false",
            ["CatalogStorage"] = AzuriteBlobs.DevelopmentStorage(),
        };
        if (profiles is not null) settings["Profiles:MaxEvents"] = profiles.MaxEvents.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var services = new ServiceCollection().AddLogging();
        services.AddUrmFunctions(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        // The stand-in's self-signed certificate: the test transport, not the product, accepts it.
        services.AddSingleton<IProfileStore>(await cosmos.ProfileStoreAsync(profiles));
        // Every answer is recorded; an erasure also clears the records that name the user.
        services.AddSingleton<IRecommendationLog>(await cosmos.RecommendationLogAsync(recordsTtl));
        // Azurite on the tests' port; the app's archive is the events container of this account.
        var blobs = AzuriteBlobs.Client();
        await blobs.GetBlobContainerClient(Urm.Azure.Blobs.BlobEventArchive.DefaultContainer).CreateIfNotExistsAsync();
        services.AddSingleton(blobs);
        return services.BuildServiceProvider();
    }
}

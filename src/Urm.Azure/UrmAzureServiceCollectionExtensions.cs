using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Urm.Azure.Cosmos;
using Urm.Core.Cards;
using Urm.Core.Kpi;
using Urm.Core.Profiles;

namespace Urm.Azure;

/// <summary>Registration of the Azure adapters in a host's services.</summary>
public static class UrmAzureServiceCollectionExtensions
{
    /// <summary>
    /// The Cosmos DB card store as <see cref="ICardStore"/> (and as <see cref="CosmosCardStore"/>), with
    /// <see cref="CosmosCardStoreOptions"/> bound from the <c>CardStore</c> section and checked at start.
    /// The client signs in with a registered <see cref="TokenCredential"/> if there is one, else with
    /// <c>DefaultAzureCredential</c>; <c>CardStore__ConnectionString</c> (emulators) overrides both.
    /// Beside it, the container's card sets as <see cref="ICardSets"/> (and as <see cref="CosmosCardSets"/>).
    /// </summary>
    public static IServiceCollection AddUrmCosmosCardStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CosmosCardStoreOptions>().Bind(configuration.GetSection(CosmosCardStoreOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CosmosCardStoreOptions>, CosmosCardStoreOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CosmosCardStoreOptions>>().Value;
            var client = CosmosCardStore.CreateClient(options, sp.GetService<TokenCredential>());
            return new CosmosCardStore(client, options, sp.GetService<ILogger<CosmosCardStore>>(), sp.GetService<TimeProvider>(), ownsClient: true);
        });
        services.AddSingleton<ICardStore>(sp => sp.GetRequiredService<CosmosCardStore>());
        // No CosmosClient is registered to share: the store makes and owns its own, so the sets make theirs
        // the same way (one more client, i.e. its own connections, for the same account).
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CosmosCardStoreOptions>>().Value;
            var client = CosmosCardStore.CreateClient(options, sp.GetService<TokenCredential>());
            return new CosmosCardSets(client, options, sp.GetService<ILoggerFactory>(), sp.GetService<TimeProvider>(), ownsClient: true);
        });
        services.AddSingleton<ICardSets>(sp => sp.GetRequiredService<CosmosCardSets>());
        return services;
    }

    /// <summary>
    /// The Cosmos DB profile store as <see cref="IProfileStore"/>, in the card store's account and database
    /// (<see cref="AddUrmCosmosCardStore"/> binds those settings), its container from <c>Profiles__Container</c>.
    /// How much a profile keeps is the host's <see cref="ProfileOptions"/> (bound by the host, defaults otherwise).
    /// </summary>
    public static IServiceCollection AddUrmCosmosProfileStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CosmosProfileStoreOptions>().Bind(configuration.GetSection(CosmosProfileStoreOptions.Section));
        services.AddSingleton(sp =>
        {
            var account = sp.GetRequiredService<IOptions<CosmosCardStoreOptions>>().Value;
            var client = CosmosCardStore.CreateClient(account, sp.GetService<TokenCredential>());
            return new CosmosProfileStore(client, account, sp.GetRequiredService<IOptions<CosmosProfileStoreOptions>>().Value,
                sp.GetRequiredService<IOptions<ProfileOptions>>().Value, sp.GetService<ILogger<CosmosProfileStore>>(), sp.GetService<TimeProvider>(), ownsClient: true);
        });
        services.AddSingleton<IProfileStore>(sp => sp.GetRequiredService<CosmosProfileStore>());
        return services;
    }

    /// <summary>
    /// The Cosmos DB recommendation log as <see cref="IRecommendationLog"/>, in the card store's account and
    /// database (<see cref="AddUrmCosmosCardStore"/> binds those settings), its container and record TTL from
    /// <c>Recommendations__Container</c> and <c>Recommendations__Ttl</c>.
    /// </summary>
    public static IServiceCollection AddUrmCosmosRecommendationLog(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CosmosRecommendationLogOptions>().Bind(configuration.GetSection(CosmosRecommendationLogOptions.Section));
        services.AddSingleton(sp =>
        {
            var account = sp.GetRequiredService<IOptions<CosmosCardStoreOptions>>().Value;
            var client = CosmosCardStore.CreateClient(account, sp.GetService<TokenCredential>());
            return new CosmosRecommendationLog(client, account, sp.GetRequiredService<IOptions<CosmosRecommendationLogOptions>>().Value, sp.GetService<TimeProvider>(), ownsClient: true);
        });
        services.AddSingleton<IRecommendationLog>(sp => sp.GetRequiredService<CosmosRecommendationLog>());
        return services;
    }
}

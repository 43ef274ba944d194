using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Urm.Azure;
using Urm.Azure.Blobs;
using Urm.Azure.Lifecycle;
using Urm.Core.Cards;
using Urm.Core.Events;
using Urm.Core.Experiments;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;
using Urm.Core.Kpi;
using Urm.Core.Models.Runtime;
using Urm.Core.Profiles;
using Urm.Core.Serving;
using Urm.Functions.Options;
using Urm.Functions.Storage;
using Urm.Functions.Telemetry;
using Urm.Functions.Triggers;
using Urm.Http;

namespace Urm.Functions;

/// <summary>The Functions app's composition root: settings (docs/SETTINGS.md) bound and validated at start, Core services, the shared HTTP layer, telemetry.</summary>
public static class UrmFunctionsExtensions
{
    public static FunctionsApplicationBuilder AddUrmFunctions(this FunctionsApplicationBuilder builder)
    {
        builder.UseMiddleware<ProblemMiddleware>();
        builder.Services.AddUrmFunctions(builder.Configuration);
        builder.Services.AddUrmTelemetry(builder.Configuration);
        // Before the poller: a missing arm model stops the start instead of loading anything.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExperimentCheck>());
        builder.Services.AddHostedService<ServingPoller>();
        return builder;
    }

    /// <summary>Everything but the poller that follows models/serving.json (tests build this over their own configuration and call the functions).</summary>
    public static IServiceCollection AddUrmFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new UrmOptionsValidator(configuration));
        Bind<CardStoreOptions>(services, configuration, CardStoreOptions.Section);
        Bind<ModelsOptions>(services, configuration, ModelsOptions.Section);
        Bind<OnnxOptions>(services, configuration, OnnxOptions.Section);
        Bind<CatalogStorageOptions>(services, configuration, CatalogStorageOptions.Section);
        Bind<LifecycleOptions>(services, configuration, LifecycleOptions.Section);
        Bind<ProfileOptions>(services, configuration, ProfileOptions.Section);
        Bind<KpiOptions>(services, configuration, KpiOptions.Section);
        Bind<ExperimentOptions>(services, configuration, ExperimentOptions.Section);
        Bind<RetrievalOptions>(services, configuration, RetrievalOptions.Section);
        // The serving options UrmServing takes (the rest stay at their defaults).
        services.AddSingleton(sp => RecommendationOptions.Default with { ScanThreads = sp.GetRequiredService<IOptions<RetrievalOptions>>().Value.ScanThreads });

        services.AddSingleton(sp =>
        {
            var onnx = sp.GetRequiredService<IOptions<OnnxOptions>>().Value;
            return new EncoderSessionOptions(
                IntraOpThreads: onnx.IntraOpThreads,
                UseCuda: onnx.ExecutionProvider.Trim().Equals(OnnxOptions.Cuda, StringComparison.OrdinalIgnoreCase));
        });
        services.AddSingleton(sp =>
        {
            TextEncoderOptions.TryParsePrecision(sp.GetRequiredService<IOptions<OnnxOptions>>().Value.TextPrecision, out var precision);   // validated at start
            return TextEncoderOptions.Default with { Session = sp.GetRequiredService<EncoderSessionOptions>(), Precision = precision };
        });
        services.AddSingleton(sp =>
        {
            ImageEncoderOptions.TryParsePrecision(sp.GetRequiredService<IOptions<OnnxOptions>>().Value.ImagePrecision, out var precision);   // validated at start
            // Catalog runs: every core, whatever the request path's thread count.
            return ImageEncoderOptions.Default with { Session = sp.GetRequiredService<EncoderSessionOptions>() with { IntraOpThreads = 0 }, Precision = precision };
        });
        // The store is chosen once, from the setting: Cosmos DB in Azure, a SQLite file for local runs.
        // Cards are read and written per card set (one per model version, see CatalogLifecycle).
        // Profiles and the recommendation log live beside the cards: the Cosmos DB containers `profiles` and
        // `recommendations`, or tables in the SQLite file.
        if (CardStoreOptions.IsCosmos(configuration))
        {
            services.AddUrmCosmosCardStore(configuration);
            services.AddUrmCosmosProfileStore(configuration);
            services.AddUrmCosmosRecommendationLog(configuration);
        }
        else
        {
            services.AddSingleton<ICardSets>(sp => new SqliteCardSets(new SqliteCardStoreOptions(Path.Combine(Local(sp), "cards.db"))));
            services.AddSingleton<IProfileStore>(sp => SqliteProfileStore.OpenAsync(Path.Combine(Local(sp), "cards.db"),
                sp.GetRequiredService<IOptions<ProfileOptions>>().Value, CancellationToken.None, sp.GetService<TimeProvider>()).GetAwaiter().GetResult());
            services.AddSingleton<IRecommendationLog>(sp => SqliteRecommendationLog.OpenAsync(Path.Combine(Local(sp), "cards.db"), CancellationToken.None).GetAwaiter().GetResult());
        }
        services.AddSingleton(sp => CreateBlobClient(sp.GetRequiredService<IOptions<CatalogStorageOptions>>().Value, configuration));
        // Raw features by content hash in the shared `features` container, the instance's disk in front:
        // any instance re-fuses any card, and a fresh one encodes no text another has encoded.
        // int8 features are kept apart from fp32 ones (features-int8, v1-int8/, v1-images-int8/, ...): a change of
        // Onnx__TextPrecision or Onnx__ImagePrecision re-encodes.
        services.AddSingleton(sp => new FileFeatureCache(FeatureVariant.Folder(Path.Combine(Local(sp), "features"),
            sp.GetRequiredService<TextEncoderOptions>().Precision, sp.GetRequiredService<ImageEncoderOptions>().Precision)));
        services.AddSingleton<IFeatureCache>(sp => new BlobFeatureCache(
            sp.GetRequiredService<FileFeatureCache>(),
            sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(sp.GetRequiredService<IOptions<LifecycleOptions>>().Value.FeaturesContainer),
            logger: sp.GetRequiredService<ILogger<BlobFeatureCache>>(),
            variant: FeatureVariant.Name(sp.GetRequiredService<TextEncoderOptions>().Precision, sp.GetRequiredService<ImageEncoderOptions>().Precision)));
        services.AddSingleton(sp => new BlobModelPackageSource(
            sp.GetRequiredService<BlobServiceClient>(),
            new BlobModelPackageSourceOptions(sp.GetRequiredService<IOptions<ModelsOptions>>().Value.Container, Path.Combine(Local(sp), "models")),
            sp.GetRequiredService<ILogger<BlobModelPackageSource>>()));
        services.AddSingleton(sp => new ServingPointerStore(ModelsContainer(sp)));
        // Every accepted event, for training: the data account's `events` container, one blob per batch.
        services.AddSingleton<IEventArchive>(sp => new BlobEventArchive(sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(BlobEventArchive.DefaultContainer)));
        services.AddSingleton(sp => new LifecycleLock(ModelsContainer(sp), sp.GetRequiredService<ILogger<LifecycleLock>>()));
        services.AddSingleton<ExperimentCheck>();
        // During an experiment every arm's model is loaded beside the served one (ServingFollower), each with
        // the card set named after its version; the HTTP layer routes each shopper to their arm's once this is registered.
        if (!string.IsNullOrWhiteSpace(configuration.GetSection(ExperimentOptions.Section)[nameof(ExperimentOptions.Arms)]))
            services.AddSingleton(sp => new ArmModels(sp.GetRequiredService<IOptions<ExperimentOptions>>().Value.ToExperiment()!,
                sp.GetRequiredService<ModelHost>(), new ModelHostOptions(sp.GetRequiredService<EncoderSessionOptions>())));
        services.AddSingleton<ServingFollower>();
        services.AddSingleton(sp => new ChunkQueue(CreateQueueServiceClient(sp.GetRequiredService<IOptions<CatalogStorageOptions>>().Value, configuration).GetQueueClient(ChunkQueue.DefaultName)));
        services.AddSingleton(sp => new RunModels(sp.GetRequiredService<BlobModelPackageSource>(), sp.GetRequiredService<EncoderSessionOptions>()));
        services.AddHttpClient(nameof(CatalogLifecycle), client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<CatalogLifecycle>(sp,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(CatalogLifecycle))));
        services.AddUrmServing();
        return services;
    }

    /// <summary>The instance's local disk (not the shared file share): see <see cref="LifecycleOptions.LocalRoot"/>.</summary>
    private static string Local(IServiceProvider services)
    {
        var root = services.GetRequiredService<IOptions<LifecycleOptions>>().Value.LocalRootOrDefault();
        Directory.CreateDirectory(root);
        return root;
    }

    private static BlobContainerClient ModelsContainer(IServiceProvider services)
        => services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(services.GetRequiredService<IOptions<ModelsOptions>>().Value.Container);

    private static void Bind<T>(IServiceCollection services, IConfiguration configuration, string section) where T : class
    {
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(sp => (IValidateOptions<T>)(object)sp.GetRequiredService<UrmOptionsValidator>());
    }

    private static QueueServiceClient CreateQueueServiceClient(CatalogStorageOptions options, IConfiguration configuration)
    {
        // As for blobs: a connection string for the emulator only, the identity in Azure.
        if (CatalogStorageOptions.ConnectionString(configuration) is { } emulator)
            return new QueueServiceClient(emulator, ChunkQueue.ClientOptions());
        return new QueueServiceClient(options.QueueServiceUri, Credential(options), ChunkQueue.ClientOptions());
    }

    private static BlobServiceClient CreateBlobClient(CatalogStorageOptions options, IConfiguration configuration)
    {
        // A connection string in `CatalogStorage` itself is for the emulator (Azurite) only: the Azure
        // account has shared keys off, and the app reaches it with its identity.
        if (CatalogStorageOptions.ConnectionString(configuration) is { } emulator)
            return new BlobServiceClient(emulator);
        return new BlobServiceClient(options.BlobServiceUri, Credential(options));
    }

    private static TokenCredential Credential(CatalogStorageOptions options)
    {
        return string.Equals(options.Credential, "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ClientId!))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = options.ClientId });
    }
}

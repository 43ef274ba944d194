using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Urm.Azure;
using Urm.Azure.Blobs;
using Urm.Core.Cards;
using Urm.Core.Features;
using Urm.Core.Models;
using Urm.Functions.Functions;
using Urm.Functions.Options;
using Urm.Functions.Storage;
using Urm.Http;

namespace Urm.Functions;

/// <summary>The Functions app's composition root: settings (docs/SETTINGS.md) bound and validated at start, Core services, the shared HTTP layer.</summary>
public static class UrmFunctionsExtensions
{
    public static FunctionsApplicationBuilder AddUrmFunctions(this FunctionsApplicationBuilder builder)
    {
        builder.UseMiddleware<ProblemMiddleware>();
        builder.Services.AddUrmFunctions(builder.Configuration);
        builder.Services.AddHostedService<ModelStartup>();
        return builder;
    }

    /// <summary>Everything but the start-up activation (tests build this over their own configuration).</summary>
    public static IServiceCollection AddUrmFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new UrmOptionsValidator(configuration));
        Bind<CardStoreOptions>(services, configuration, CardStoreOptions.Section);
        Bind<ModelsOptions>(services, configuration, ModelsOptions.Section);
        Bind<OnnxOptions>(services, configuration, OnnxOptions.Section);
        Bind<CatalogStorageOptions>(services, configuration, CatalogStorageOptions.Section);

        services.AddSingleton(sp =>
        {
            var onnx = sp.GetRequiredService<IOptions<OnnxOptions>>().Value;
            return new EncoderSessionOptions(
                IntraOpThreads: onnx.IntraOpThreads,
                UseCuda: onnx.ExecutionProvider.Trim().Equals(OnnxOptions.Cuda, StringComparison.OrdinalIgnoreCase));
        });
        services.AddSingleton(sp => new ModelHost(new ModelHostOptions(sp.GetRequiredService<EncoderSessionOptions>())));
        // The store is chosen once, from the setting: Cosmos DB in Azure, a SQLite file for local runs.
        if (CardStoreOptions.IsCosmos(configuration))
            services.AddUrmCosmosCardStore(configuration);
        else
            services.AddSingleton<ICardStore>(_ => OpenSqliteCardStore());
        services.AddSingleton<ICardSnapshotSource>(sp => new CardIndex(sp.GetRequiredService<ICardStore>(), () => sp.GetRequiredService<ModelHost>().CardSpace));
        services.AddSingleton<ITextEncoder>(sp => TextEncoder.Load(new TextEncoderOptions(Session: sp.GetRequiredService<EncoderSessionOptions>())));
        services.AddSingleton<IFeatureCache>(_ => new FileFeatureCache(Path.Combine(LocalRoot, "features")));
        // Catalog runs use every core whatever Onnx:IntraOpThreads says for requests (one thread each,
        // many side by side): their own MiniLM session, loaded on the first run, unless that setting is 0.
        services.AddSingleton(sp => new CatalogTextEncoder(sp.GetRequiredService<ITextEncoder>(), sp.GetRequiredService<EncoderSessionOptions>()));
        services.AddSingleton(sp => new CatalogEncoder(
            sp.GetRequiredService<ICardStore>(),
            sp.GetRequiredService<ModelHost>(),
            sp.GetRequiredService<CatalogTextEncoder>(),
            images: null,
            sp.GetRequiredService<IFeatureCache>()));
        services.AddSingleton(sp => CreateBlobClient(sp.GetRequiredService<IOptions<CatalogStorageOptions>>().Value, configuration));
        services.AddSingleton(sp => new BlobModelPackageSource(
            sp.GetRequiredService<BlobServiceClient>(),
            new BlobModelPackageSourceOptions(sp.GetRequiredService<IOptions<ModelsOptions>>().Value.Container, Path.Combine(LocalRoot, "models")),
            sp.GetRequiredService<ILogger<BlobModelPackageSource>>()));
        services.AddHttpClient(nameof(BlobCatalogEncoder), client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton(sp => new BlobCatalogEncoder(
            sp.GetRequiredService<BlobServiceClient>(),
            sp.GetRequiredService<ICardStore>(),
            sp.GetRequiredService<ModelHost>(),
            sp.GetRequiredService<CatalogTextEncoder>(),
            sp.GetRequiredService<IFeatureCache>(),
            sp.GetRequiredService<EncoderSessionOptions>() with { IntraOpThreads = 0 },   // images too: every core
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(BlobCatalogEncoder)),
            sp.GetRequiredService<ILogger<BlobCatalogEncoder>>()));
        services.AddSingleton<BlobModelActivator>();
        services.AddUrmHttp();
        return services;
    }

    /// <summary>The instance's local disk (not the shared file share): SQLite card store and feature cache.</summary>
    public static string LocalRoot => Path.Combine(Path.GetTempPath(), "urm");

    private static void Bind<T>(IServiceCollection services, IConfiguration configuration, string section) where T : class
    {
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(sp => (IValidateOptions<T>)(object)sp.GetRequiredService<UrmOptionsValidator>());
    }

    private static ICardStore OpenSqliteCardStore()
    {
        Directory.CreateDirectory(LocalRoot);
        return SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(Path.Combine(LocalRoot, "cards.db")), CancellationToken.None).GetAwaiter().GetResult();
    }

    private static BlobServiceClient CreateBlobClient(CatalogStorageOptions options, IConfiguration configuration)
    {
        // A connection string in `CatalogStorage` itself is for the emulator (Azurite) only: the Azure
        // account has shared keys off, and the app reaches it with its identity.
        if (CatalogStorageOptions.ConnectionString(configuration) is { } emulator)
            return new BlobServiceClient(emulator);
        TokenCredential credential = string.Equals(options.Credential, "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ClientId!))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = options.ClientId });
        return new BlobServiceClient(options.BlobServiceUri, credential);
    }
}

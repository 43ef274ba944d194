using Microsoft.Extensions.DependencyInjection;
using Urm.Core.Cards;
using Urm.Core.Features;
using Urm.Core.Models;
using Urm.Http;

namespace Urm.Cli.Serve;

/// <summary>`urm serve`'s composition root: Core services over a local model folder and SQLite store, the shared HTTP layer, the catalog folder watcher.</summary>
public static class ServeExtensions
{
    private const string EncodingText = "encoding";

    public static IServiceCollection AddUrmServe(this IServiceCollection services, ServeSettings settings, SqliteCardStore store)
    {
        var session = new EncoderSessionOptions(IntraOpThreads: settings.Threads);
        services.AddSingleton(settings);
        services.AddSingleton(session);
        services.AddSingleton(store);
        services.AddSingleton<ICardStore>(store);
        services.AddSingleton(new ModelHost(new ModelHostOptions(session)));
        services.AddSingleton<ICardSnapshotSource>(sp => new CardIndex(sp.GetRequiredService<ICardStore>(), () => sp.GetRequiredService<ModelHost>().CardSpace));
        // Two text encoders: prompts are encoded per request while an encoding run may be extracting features.
        services.AddSingleton<ITextEncoder>(_ => TextEncoder.Load(new TextEncoderOptions(Session: session)));
        // Registered on their own so the container disposes them at shutdown (the cache flushes its log then).
        services.AddKeyedSingleton(EncodingText, (_, _) => TextEncoder.Load(new TextEncoderOptions(Session: session)));
        services.AddSingleton(_ => new FileFeatureCache(settings.FeatureCacheDirectory));
        services.AddSingleton(sp => new CatalogFileEncoder(
            sp.GetRequiredService<ICardStore>(),
            sp.GetRequiredService<ModelHost>(),
            sp.GetRequiredKeyedService<TextEncoder>(EncodingText),
            sp.GetRequiredService<FileFeatureCache>(),
            session));
        services.AddHostedService<CatalogFolderWatcher>();
        services.AddUrmHttp();
        return services;
    }
}

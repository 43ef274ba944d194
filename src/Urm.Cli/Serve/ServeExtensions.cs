using Microsoft.Extensions.DependencyInjection;
using Urm.Core.Cards;
using Urm.Core.Events;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Text;
using Urm.Core.Kpi;
using Urm.Core.Models.Runtime;
using Urm.Core.Profiles;
using Urm.Core.Runs;
using Urm.Http;

namespace Urm.Cli.Serve;

/// <summary>`urm serve`'s composition root: Core services over a local model folder and SQLite store (cards, profiles and the recommendation log), the shared HTTP layer, the catalog folder watcher.</summary>
public static class ServeExtensions
{
    public static IServiceCollection AddUrmServe(this IServiceCollection services, ServeSettings settings, SqliteCardStore store, SqliteProfileStore profiles, SqliteRecommendationLog recommendations)
    {
        var session = new EncoderSessionOptions(IntraOpThreads: settings.Threads);
        services.AddSingleton(settings);
        services.AddSingleton(session);
        services.AddSingleton(store);
        services.AddSingleton<ICardStore>(store);
        services.AddSingleton<IProfileStore>(profiles);
        services.AddSingleton<IRecommendationLog>(recommendations);
        services.AddSingleton<IEventArchive>(new FolderEventArchive(settings.EventsDirectory));
        // Registered on its own so the container disposes it at shutdown (the cache flushes its log then).
        services.AddSingleton(_ => new FileFeatureCache(settings.FeatureCacheDirectory));
        services.AddSingleton(sp => new CatalogFileEncoder(
            sp.GetRequiredService<ICardStore>(),
            sp.GetRequiredService<ModelHost>(),
            sp.GetRequiredService<CatalogTextEncoder>(),
            sp.GetRequiredService<FileFeatureCache>(),
            session with { IntraOpThreads = 0 },
            new FolderRunStore(settings.RunsDirectory)));
        services.AddHostedService<CatalogFolderWatcher>();
        services.AddUrmServing();
        return services;
    }
}

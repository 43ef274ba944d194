using Microsoft.Extensions.DependencyInjection;
using Urm.Core.Cards;
using Urm.Core.Events;
using Urm.Core.Experiments;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Text;
using Urm.Core.Kpi;
using Urm.Core.Models.Runtime;
using Urm.Core.Profiles;
using Urm.Core.Runs;
using Urm.Core.Telemetry;
using Urm.Http;

namespace Urm.Cli.Serve;

/// <summary>`urm serve`'s composition root: Core services over a local model and SQLite store (cards, profiles and the recommendation log), the shared HTTP layer, the catalog folder watcher.</summary>
public static class ServeExtensions
{
    /// <param name="arms">During an experiment, the card set of each arm the primary model does not serve (the set named after its model version in the same file).</param>
    public static IServiceCollection AddUrmServe(this IServiceCollection services, ServeSettings settings, SqliteCardStore store, SqliteProfileStore profiles, SqliteRecommendationLog recommendations,
        Experiment? experiment = null, IReadOnlyList<(ExperimentArm Arm, SqliteCardStore Cards)>? arms = null)
    {
        var session = new EncoderSessionOptions(IntraOpThreads: settings.Threads);
        services.AddSingleton(settings);
        services.AddSingleton(session);
        services.AddSingleton(TextEncoderOptions.Default with { Session = session, Precision = settings.TextPrecision });
        services.AddSingleton(store);
        services.AddSingleton<ICardStore>(store);
        services.AddSingleton<IProfileStore>(profiles);
        services.AddSingleton<IRecommendationLog>(recommendations);
        services.AddSingleton<IEventArchive>(new FolderEventArchive(settings.EventsDirectory));
        // Registered on its own so the container disposes it at shutdown (the cache flushes its log then).
        services.AddSingleton(_ => new FileFeatureCache(settings.FeatureCacheDirectory));
        // One encoder per card set served, the primary model's first: the watcher runs each catalog file
        // through them in this order, and the arms' runs find the features the first one cached.
        services.AddSingleton(sp => Encoder(sp, store, sp.GetRequiredService<ModelHost>(), CardSetNames.Default));
        if (experiment is not null)
        {
            // The arms' own hosts load like the primary one (AddUrmServing): the same ONNX Runtime session settings.
            services.AddSingleton(sp => new ArmModels(experiment, sp.GetRequiredService<ModelHost>(), new ModelHostOptions(session)));
            foreach (var (arm, cards) in arms ?? [])
                services.AddSingleton(sp => Encoder(sp, cards, sp.GetRequiredService<ArmModels>().OwnHost(arm), arm.ModelVersion));
        }
        services.AddHostedService<CatalogFolderWatcher>();
        services.AddUrmServing();
        return services;
    }

    private static CatalogFileEncoder Encoder(IServiceProvider services, ICardStore cards, ModelHost model, string cardSet)
        => new(cards, model, services.GetRequiredService<CatalogTextEncoder>(), services.GetRequiredService<FileFeatureCache>(),
            services.GetRequiredService<EncoderSessionOptions>() with { IntraOpThreads = 0 }, new FolderRunStore(services.GetRequiredService<ServeSettings>().RunsDirectory), cardSet,
            services.GetRequiredService<UrmMetrics>(), services.GetRequiredService<ServeSettings>().ImagePrecision);
}

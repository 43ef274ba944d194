using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Urm.Core.Features;
using Urm.Core.Features.Text;
using Urm.Core.Models.Runtime;
using Urm.Core.Events;
using Urm.Core.Kpi;
using Microsoft.Extensions.Options;
using Urm.Core.Profiles;
using Urm.Core.Telemetry;
using Urm.Core.Experiments;
using Urm.Http.Apis;
using Urm.Http.Json;
using Urm.Http.Problems;
using Urm.Http.Serving;

namespace Urm.Http;

/// <summary>The HTTP layer's registration: JSON conventions, problem details, the last-resort handler, the OpenAPI document.</summary>
public static class UrmHttpExtensions
{
    /// <summary>
    /// The serving services both hosts share, over the <see cref="EncoderSessionOptions"/> (and optionally
    /// <see cref="TextEncoderOptions"/>, for MiniLM's precision) the host has registered: the model host, the request path's MiniLM, the catalog runs' MiniLM, and the HTTP layer
    /// (<see cref="AddUrmHttp"/>), and the service's metrics (<see cref="UrmMetrics"/>, over every model host
    /// served). Each host adds its card store, catalog path and settings, and where the metrics go.
    /// </summary>
    public static IServiceCollection AddUrmServing(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ModelHost(new ModelHostOptions(sp.GetRequiredService<EncoderSessionOptions>())));
        services.AddMetrics();
        services.AddSingleton(sp =>
        {
            var metrics = new UrmMetrics(sp.GetRequiredService<IMeterFactory>());
            metrics.ObserveCards(sp.GetRequiredService<ModelHost>());
            // During an experiment (urm serve) an arm the primary model does not serve has a host and cards of its own.
            if (sp.GetService<ArmModels>() is { } arms)
                foreach (var arm in arms.Experiment.Arms) metrics.ObserveCards(arms.OwnHost(arm));
            return metrics;
        });
        services.AddSingleton<ITextEncoder>(sp => TextEncoder.Load(TextOptions(sp)));
        // Catalog runs use every core whatever the request path's thread setting says: their own MiniLM
        // session, loaded on the first run, unless that setting is 0 (all cores) and the one session serves both.
        services.AddSingleton(sp => new CatalogTextEncoder(sp.GetRequiredService<ITextEncoder>(), TextOptions(sp)));
        return services.AddUrmHttp();
    }

    /// <summary>MiniLM's options: the host's registered <see cref="TextEncoderOptions"/> (its precision), if any, on the registered session options.</summary>
    private static TextEncoderOptions TextOptions(IServiceProvider services)
        => (services.GetService<TextEncoderOptions>() ?? TextEncoderOptions.Default) with { Session = services.GetRequiredService<EncoderSessionOptions>() };

    /// <summary>
    /// Everything the API's handlers need except the Core services themselves (a <see cref="Urm.Core.Models.Runtime.ModelHost"/>
    /// whose models are activated with their cards, and an <see cref="Urm.Core.Features.Text.ITextEncoder"/>): <see cref="AddUrmServing"/>
    /// registers both, and a test may register its own. The host registers its <see cref="IProfileStore"/>, <see cref="IEventArchive"/> and <see cref="IRecommendationLog"/>.
    /// </summary>
    public static IServiceCollection AddUrmHttp(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => UrmJson.Apply(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<LastResortExceptionHandler>();
        services.AddSingleton<UrmServing>();
        // Events and profiles over the host's IProfileStore (a SQLite table for urm serve, Cosmos DB in Azure)
        // and IEventArchive (a folder for urm serve, the events blob container in Azure).
        services.AddSingleton(sp => new ProfileService(sp.GetRequiredService<IProfileStore>(), sp.GetRequiredService<IEventArchive>(),
            sp.GetRequiredService<IRecommendationLog>(), time: sp.GetService<TimeProvider>(), metrics: sp.GetService<UrmMetrics>()));
        services.AddSingleton<ProfileServing>();
        // KPIs join the host's IRecommendationLog (every answer, recorded by UrmServing) with the event archive.
        services.AddSingleton(sp => new KpiService(sp.GetRequiredService<IRecommendationLog>(), sp.GetRequiredService<IEventArchive>(),
            sp.GetService<IOptions<KpiOptions>>()?.Value, sp.GetService<TimeProvider>()));
        services.AddSingleton<KpiServing>();
        services.AddOpenApi("v1", o => UrmOpenApi.Configure(o));
        return services;
    }

    /// <summary>The API's routes and /openapi/v1.json, behind the last-resort exception handler.</summary>
    public static WebApplication MapUrmHttp(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapUrmApi();
        app.MapOpenApi();
        return app;
    }
}

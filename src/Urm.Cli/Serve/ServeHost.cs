using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Urm.Core.Cards;
using Urm.Core.Experiments;
using Urm.Core.Kpi;
using Urm.Core.Models.Runtime;
using Urm.Core.Profiles;
using Urm.Http;
using Urm.Http.Serving;

namespace Urm.Cli.Serve;

/// <summary>Builds the `urm serve` web application: store opened and models activated before it listens.</summary>
public static class ServeHost
{
    public static async Task<WebApplication> CreateAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(settings.ModelDirectory))
            throw new DirectoryNotFoundException($"The model folder '{settings.ModelDirectory}' does not exist; pass --model with a folder holding manifest.json, fusion.onnx and user.onnx.");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(settings.Urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Urm", settings.LogLevel);
        // Checked before any store is opened or model loaded: a wrong split stops the start with what to fix.
        var experiment = ServeExperiment.Resolve(settings, builder.Configuration);
        var store = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(Path.GetFullPath(settings.StorePath)), cancellationToken).ConfigureAwait(false);
        // Each arm the primary model does not serve keeps its cards in the set named after its model version, in the same file.
        var arms = new List<(ExperimentArm Arm, string Directory, SqliteCardStore Cards)>();
        foreach (var (arm, directory) in experiment?.Own ?? [])
            arms.Add((arm, directory, await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(store.Path, CardSet: arm.ModelVersion), cancellationToken).ConfigureAwait(false)));
        // Profiles live in the card store's file, in a table of their own.
        var profiles = await SqliteProfileStore.OpenAsync(store.Path, settings.Profiles, cancellationToken).ConfigureAwait(false);
        // So are the served recommendations, for attribution and KPIs.
        var recommendations = await SqliteRecommendationLog.OpenAsync(store.Path, cancellationToken).ConfigureAwait(false);
        builder.Services.AddUrmServe(settings, store, profiles, recommendations, experiment?.Experiment, arms.Select(a => (a.Arm, a.Cards)).ToList());
        var app = builder.Build();
        await app.Services.GetRequiredService<ModelHost>().ActivateAsync(settings.ModelDirectory, store, cancellationToken).ConfigureAwait(false);
        foreach (var (arm, directory, cards) in arms)
            await app.Services.GetRequiredService<ArmModels>().ActivateAsync(arm, directory, cards, cancellationToken).ConfigureAwait(false);
        // Before it listens: the prompt embeddings the first requests would otherwise make one at a time.
        await app.Services.GetRequiredService<UrmServing>().WarmUpAsync(cancellationToken).ConfigureAwait(false);
        app.MapUrmHttp();
        return app;
    }
}

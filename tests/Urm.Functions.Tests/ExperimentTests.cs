using Microsoft.Extensions.DependencyInjection;
using Urm.Cli.Tests.Serve;
using Urm.Core.Experiments;
using Urm.Functions.Storage;

namespace Urm.Functions.Tests;

/// <summary>
/// An A/B experiment in the Functions app on the emulators (docs/EXPERIMENTS.md, "In Azure"): both arms' models
/// are loaded on the instance, each shopper is answered by their arm's model over its own card set, and a
/// catalog upload reaches every arm's set.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class ExperimentTests(ServeModel model) : IClassFixture<ServeModel>
{
    private const string A = "exp-a";
    private const string B = "exp-b";
    private static readonly Dictionary<string, string?> Split = new() { ["Experiment:Arms"] = $"{A}=0.5,{B}=0.5" };

    [Fact]
    public async Task Each_shopper_is_answered_by_their_arms_model_and_an_upload_reaches_every_arms_card_set()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        await world.UploadModelAsync(B);   // B's package is in the store; A is the one models/active.json names
        var app = world.Start(settings: Split);
        var all = model.Items.Count;

        await world.ServeAsync(app, A);
        await app.Services.GetRequiredService<ExperimentCheck>().CheckAsync(default);   // both packages are in the store now
        Assert.Equal(A, (await world.ServingAsync()).ModelVersion);
        Assert.Null((await world.ServingAsync()).CurrentRun);
        Assert.Equal(all, (await world.LiveCardsAsync(A)).Count(c => c.ModelVersion == A));
        Assert.Equal(all, (await world.LiveCardsAsync(B)).Count(c => c.ModelVersion == B));   // B's own set, fused by B
        var armReport = (await world.ReportAsync(CatalogLifecycle.ArmReportName(world.CatalogName, B)))!.Value;
        Assert.Equal(B, armReport.GetProperty("modelVersion").GetString());

        await app.WaitForAsync(h => Arms(h) == $"A:{A}:{all},B:{B}:{all}", $"both arms with {all} cards");
        var experiment = Experiment.Parse(Split["Experiment:Arms"]!);
        var inA = Shopper(experiment, "A");
        var inB = Shopper(experiment, "B");
        Assert.Equal(("A", A), await ArmAndModelAsync(app, inA));
        Assert.Equal(("B", B), await ArmAndModelAsync(app, inB));

        // An upload without the first item: the served set's run, then B's, both retire it.
        var dropped = model.Items[0].Id;
        await world.UploadCatalogAsync(model.Items.Skip(1));
        await app.EncodeCatalogAsync();
        await world.DrainChunksAsync(app);
        Assert.Null((await world.ServingAsync()).CurrentRun);
        foreach (var set in new[] { A, B })
        {
            var live = await world.LiveCardsAsync(set);
            Assert.Equal(all - 1, live.Count);
            Assert.DoesNotContain(dropped, live.Select(c => c.Id));
        }
        Assert.Equal(1, (await world.ReportAsync(CatalogLifecycle.ArmReportName(world.CatalogName, B)))!.Value.GetProperty("retired").GetInt32());
        await app.WaitForAsync(h => Arms(h) == $"A:{A}:{all - 1},B:{B}:{all - 1}", $"both arms with {all - 1} cards");
        foreach (var (shopper, arm, version) in new[] { (inA, "A", A), (inB, "B", B) })
        {
            var (answeredArm, answeredModel, items) = await app.RecommendForAsync(shopper);
            Assert.Equal((arm, version), (answeredArm, answeredModel));
            Assert.Equal(all - 1, items.Count);
            Assert.DoesNotContain(dropped, items);
        }
    }

    [Fact]
    public async Task An_experiment_started_after_the_last_upload_encodes_that_catalog_into_the_arms_set_at_start()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        await world.UploadModelAsync(B);
        await world.ServeAsync(world.Start(), A);   // served and encoded before any experiment
        Assert.Empty(await world.LiveCardsAsync(B));

        var app = world.Start(settings: Split);
        Assert.NotNull(await app.Services.GetRequiredService<CatalogLifecycle>().EncodeArmSetsAsync(default));   // what the poller does at start
        await world.DrainChunksAsync(app);
        Assert.Null((await world.ServingAsync()).CurrentRun);
        Assert.Equal(model.Items.Count, (await world.LiveCardsAsync(B)).Count(c => c.ModelVersion == B));
        Assert.Equal(A, (await world.ServingAsync()).ModelVersion);
        // Once current, the next start plans B's set again and finds nothing changed.
        Assert.NotNull(await app.Services.GetRequiredService<CatalogLifecycle>().EncodeArmSetsAsync(default));
        Assert.Equal(0, await world.DrainChunksAsync(app));
        Assert.Null((await world.ServingAsync()).CurrentRun);
    }

    [Fact]
    public async Task An_arms_chunk_that_fails_every_delivery_reports_beside_the_served_sets_report_not_over_it()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        await world.UploadModelAsync(B);
        await world.ServeAsync(world.Start(), A);
        var served = (await world.ReportAsync())!.Value.GetRawText();

        var app = world.Start(settings: Split);
        Assert.NotNull(await app.Services.GetRequiredService<CatalogLifecycle>().EncodeArmSetsAsync(default));
        var poisoned = (await world.Chunks.ReceiveMessageAsync()).Value;
        await app.FailChunkAsync(poisoned.Body.ToString());

        Assert.Null((await world.ServingAsync()).CurrentRun);
        Assert.Equal(served, (await world.ReportAsync())!.Value.GetRawText());
        var armReport = (await world.ReportAsync(CatalogLifecycle.ArmReportName(world.CatalogName, B)))!.Value;
        Assert.Contains("failed on every delivery", armReport.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_arm_whose_model_is_not_in_the_models_container_stops_the_start_with_its_name()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        await world.UploadModelAsync(A);
        var app = world.Start(settings: new Dictionary<string, string?> { ["Experiment:Arms"] = $"{A}=0.9,exp-missing=0.1" });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Services.GetRequiredService<ExperimentCheck>().CheckAsync(default));
        Assert.Contains("arm B's model exp-missing", error.Message);
        Assert.DoesNotContain($"arm A", error.Message);
    }

    private static async Task<(string? Arm, string? Model)> ArmAndModelAsync(AppInstance app, string shopper)
    {
        var (arm, version, _) = await app.RecommendForAsync(shopper);
        return (arm, version);
    }

    /// <summary>The first user id the split puts in <paramref name="arm"/>.</summary>
    private static string Shopper(Experiment experiment, string arm)
        => Enumerable.Range(0, 1000).Select(i => $"u-{i}").First(u => experiment.Assign(u, null)!.Name == arm);

    private static string Arms(System.Text.Json.JsonElement health)
        => health.TryGetProperty("arms", out var arms) && arms.ValueKind == System.Text.Json.JsonValueKind.Array
            ? string.Join(",", arms.EnumerateArray().Select(a => $"{a.GetProperty("arm").GetString()}:{a.GetProperty("modelVersion").GetString()}:{a.GetProperty("cardCount").GetInt32()}"))
            : "";
}

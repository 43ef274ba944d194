using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Core.Runs;
using Urm.Core.Telemetry;
using Urm.Core.Tests.Cards;
using Urm.Core.Tests.Models;

namespace Urm.Core.Tests.Telemetry;

/// <summary>Catalog runs counted by outcome, with what became of their items, once per run.</summary>
[Collection(EncodingModelCollection.Name)]
public sealed class CatalogRunMetricsTests(EncodingModel model) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-run-metrics-").FullName;
    private readonly MetricsRecorder _recorder = new();

    private ChunkedCatalogRun Run() => new(new FolderRunStore(_folder), new ChunkedRunOptions(ChunkSize: 8), metrics: _recorder.Metrics);

    private double Runs(string outcome) => _recorder.Sum(UrmMetrics.CatalogRuns, UrmMetrics.OutcomeTag, outcome);

    private double Items(string result) => _recorder.Sum(UrmMetrics.CatalogItems, UrmMetrics.ResultTag, result);

    [Fact]
    public async Task A_finished_run_adds_its_outcome_and_its_item_counts_once()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        var run = Run();

        // Every item and one row without a title.
        var first = await RunAsync(run, world, model.Items, """{"id": "no-title"}""");
        Assert.Equal((EncodingModel.ItemCount, 1L), (first.Fused, first.Rejected));
        Assert.Equal((1d, 0d), (Runs(UrmMetrics.RunCompleted), Runs(UrmMetrics.RunFailed)));
        Assert.Equal(((double)EncodingModel.ItemCount, 0d, 1d, 0d), (Items(UrmMetrics.ItemsEncoded), Items(UrmMetrics.ItemsSkipped), Items(UrmMetrics.ItemsFailed), Items(UrmMetrics.ItemsRetired)));

        // Three items dropped, the rest unchanged.
        await RunAsync(run, world, model.Items.Skip(3));
        Assert.Equal(2d, Runs(UrmMetrics.RunCompleted));
        Assert.Equal(((double)EncodingModel.ItemCount, EncodingModel.ItemCount - 3d, 1d, 3d), (Items(UrmMetrics.ItemsEncoded), Items(UrmMetrics.ItemsSkipped), Items(UrmMetrics.ItemsFailed), Items(UrmMetrics.ItemsRetired)));
    }

    [Fact]
    public async Task A_run_whose_retire_is_held_back_says_so()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        await world.EncodeAsync(model.Items);

        var report = await RunAsync(Run(), world, model.Items.Take(2));

        Assert.True(report.RetireWithheld > 0);
        Assert.Equal((0d, 1d), (Runs(UrmMetrics.RunCompleted), Runs(UrmMetrics.RunRetireWithheld)));
    }

    [Fact]
    public async Task A_catalog_without_a_valid_row_counts_a_rejected_run_and_no_items()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        var bytes = "not json\n"u8.ToArray();

        await Assert.ThrowsAsync<InvalidCatalogException>(() => Run().PlanAsync(Request(), _ => Task.FromResult<Stream>(new MemoryStream(bytes)), CatalogFormat.JsonLines, world.Store, default));

        Assert.Equal(1d, Runs(UrmMetrics.RunRejected));
        Assert.Empty(_recorder.Of(UrmMetrics.CatalogItems));
    }

    [Fact]
    public async Task A_run_in_process_that_throws_counts_a_failed_run()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        var run = Run();
        var plan = await PlanAsync(run, world, model.Items);

        await Assert.ThrowsAsync<IOException>(() => run.RunInProcessAsync(plan, () => throw new IOException("The encoder's model file is gone."), workers: 1, world.Store, default));

        Assert.Equal((1d, 0d), (Runs(UrmMetrics.RunFailed), Runs(UrmMetrics.RunCompleted)));
    }

    private RunRequest Request() => new("catalog.jsonl", "etag-1", model.Version, "set-1", AllowMassRetire: false, Activates: false);

    private async Task<CatalogRunPlan> PlanAsync(ChunkedCatalogRun run, EncodingWorld world, IEnumerable<CatalogItem> items, params string[] extraLines)
    {
        var path = Path.Combine(_folder, $"catalog-{Guid.NewGuid():N}.jsonl");
        await EncodingModel.WriteCatalogAsync(path, items, default);
        await File.AppendAllLinesAsync(path, extraLines);
        return await run.PlanAsync(Request(), _ => Task.FromResult<Stream>(File.OpenRead(path)), CatalogFormat.JsonLines, world.Store, default);
    }

    /// <summary>Plans, encodes every chunk and finishes; then finishes again, as a retried caller would.</summary>
    private async Task<CatalogEncodingReport> RunAsync(ChunkedCatalogRun run, EncodingWorld world, IEnumerable<CatalogItem> items, params string[] extraLines)
    {
        var plan = await PlanAsync(run, world, items, extraLines);
        for (var c = 0; c < plan.Chunks; c++) await run.EncodeChunkAsync(plan.RunId, c, world.Encoder, default);
        var report = await run.FinishAsync(plan.RunId, world.Store, default);
        await run.FinishAsync(plan.RunId, world.Store, default);
        return report;
    }

    public void Dispose()
    {
        _recorder.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Core.Runs;
using Urm.Core.Tests.Cards;
using Urm.Core.Tests.Models;

namespace Urm.Core.Tests.Runs;

[Collection(EncodingModelCollection.Name)]
public sealed class ChunkedCatalogRunTests(EncodingModel model) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-runs-").FullName;

    private FolderRunStore Runs => new(_folder);

    [Fact]
    public async Task Two_workers_encode_the_chunks_side_by_side_and_the_finish_sums_them()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        var run = new ChunkedCatalogRun(Runs, new ChunkedRunOptions(ChunkSize: 6));

        var plan = await PlanAsync(run, world, model.Items);
        Assert.Equal((4, EncodingModel.ItemCount, 0), (plan.Chunks, plan.Changed, plan.SkippedUnchanged));   // 6 + 6 + 6 + 2

        // Two workers, each with its own encoder (as on two instances), take alternate chunks at once.
        var workers = new[] { world.Encoder, NewEncoder(world) };
        var outcomes = await Task.WhenAll(Enumerable.Range(0, plan.Chunks).Select(c => run.EncodeChunkAsync(plan.RunId, c, workers[c % 2], default)));
        Assert.All(outcomes, o => Assert.False(o.AlreadyDone));
        Assert.Contains(outcomes, o => o.AllDone);
        var report = await run.FinishAsync(plan.RunId, world.Store, default);

        Assert.Equal((EncodingModel.ItemCount, 4, 0), (report.Fused, report.Chunks, report.Retired));
        Assert.Equal(EncodingModel.ItemCount, (await world.Store.GetStampsAsync(default)).Count);
        // The chunk files give back exactly the items read: nothing changed, so a second plan has nothing to do.
        var again = await PlanAsync(run, world, model.Items);
        Assert.Equal((0, EncodingModel.ItemCount), (again.Chunks, again.SkippedUnchanged));
    }

    [Fact]
    public async Task A_chunk_delivered_twice_is_encoded_once()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        var run = new ChunkedCatalogRun(Runs, new ChunkedRunOptions(ChunkSize: 8));
        var plan = await PlanAsync(run, world, model.Items);
        await run.EncodeChunkAsync(plan.RunId, 0, world.Encoder, default);
        var version = await world.Store.GetCatalogVersionAsync(default);

        var twice = await run.EncodeChunkAsync(plan.RunId, 0, world.Encoder, default);

        Assert.Equal(new ChunkOutcome(AlreadyDone: true, AllDone: false), twice);
        Assert.Equal(version, await world.Store.GetCatalogVersionAsync(default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => run.FinishAsync(plan.RunId, world.Store, default));
    }

    [Fact]
    public async Task A_chunk_of_a_replaced_run_stops_before_it_writes()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        var run = new ChunkedCatalogRun(Runs, new ChunkedRunOptions(ChunkSize: 8));
        var plan = await PlanAsync(run, world, model.Items);

        var outcome = await run.EncodeChunkAsync(plan.RunId, 0, world.Encoder, default, stillCurrent: _ => Task.FromResult(false));

        Assert.True(outcome.Replaced);
        Assert.Empty(await world.Store.GetStampsAsync(default));
        Assert.False(await run.IsDoneAsync(plan.RunId, 0, default));
    }

    [Fact]
    public async Task The_finish_retires_what_the_snapshot_lacks_within_the_retire_limit_and_again_changes_nothing()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        await world.EncodeAsync(model.Items);
        var run = new ChunkedCatalogRun(Runs, new ChunkedRunOptions(ChunkSize: 8));

        var most = await FinishAsync(run, world, model.Items.Take(2));
        Assert.Equal((0, EncodingModel.ItemCount - 2), (most.Retired, most.RetireWithheld));
        Assert.Contains("urm_allow_mass_retire", most.Warning);

        var few = await FinishAsync(run, world, model.Items.Skip(3));
        Assert.Equal((3, 0, 0), (few.Retired, few.Fused, few.Chunks));
        Assert.Equal(model.Items.Skip(3).Select(i => i.Id).Order(), (await world.Store.GetStampsAsync(default)).Keys.Order());
    }

    [Fact]
    public async Task A_catalog_without_a_valid_row_plans_nothing()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        var run = new ChunkedCatalogRun(Runs);
        var bytes = "not json\n"u8.ToArray();

        await Assert.ThrowsAsync<InvalidCatalogException>(() => run.PlanAsync(Request(), _ => Task.FromResult<Stream>(new MemoryStream(bytes)), CatalogFormat.JsonLines, world.Store, default));
        Assert.Empty(Directory.EnumerateFiles(_folder, RunNames.Plan, SearchOption.AllDirectories));
    }

    private RunRequest Request() => new("catalog.jsonl", "etag-1", model.Version, "set-1", AllowMassRetire: false, Activates: false);

    private async Task<CatalogRunPlan> PlanAsync(ChunkedCatalogRun run, EncodingWorld world, IEnumerable<CatalogItem> items)
    {
        var path = Path.Combine(_folder, $"catalog-{Guid.NewGuid():N}.jsonl");
        await EncodingModel.WriteCatalogAsync(path, items, default);
        return await run.PlanAsync(Request(), _ => Task.FromResult<Stream>(File.OpenRead(path)), CatalogFormat.JsonLines, world.Store, default);
    }

    private async Task<CatalogEncodingReport> FinishAsync(ChunkedCatalogRun run, EncodingWorld world, IEnumerable<CatalogItem> items)
    {
        var plan = await PlanAsync(run, world, items);
        for (var c = 0; c < plan.Chunks; c++) await run.EncodeChunkAsync(plan.RunId, c, world.Encoder, default);
        var report = await run.FinishAsync(plan.RunId, world.Store, default);
        var again = await run.FinishAsync(plan.RunId, world.Store, default);
        Assert.Equal((report.Fused, report.RetireWithheld, report.Warning, 0), (again.Fused, again.RetireWithheld, again.Warning, again.Retired));
        return report;
    }

    private static CatalogEncoder NewEncoder(EncodingWorld world) => new(world.Store, world.Host, world.Model.Text, null, world.Cache);

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

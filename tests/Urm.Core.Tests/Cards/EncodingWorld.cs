using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Core.Features.Cache;
using Urm.Core.Models.Runtime;
using Urm.Core.Runs;
using Urm.Core.Tests.Models;

namespace Urm.Core.Tests.Cards;

/// <summary>One test's world: a store file, a host with the encoding model active, a feature cache and an encoder over them.</summary>
internal sealed class EncodingWorld : IAsyncDisposable
{
    private EncodingWorld(EncodingModel model, string folder, SqliteCardStore store, ModelHost host)
    {
        Model = model;
        Folder = folder;
        Store = store;
        Host = host;
        Encoder = new CatalogEncoder(store, host, model.Text, null, Cache, new CatalogEncoderOptions(UpsertBatchSize: 7));
    }

    public EncodingModel Model { get; }
    public string Folder { get; }
    public SqliteCardStore Store { get; }
    public ModelHost Host { get; }
    public InMemoryFeatureCache Cache { get; } = new();
    public CatalogEncoder Encoder { get; }

    public static async Task<EncodingWorld> StartAsync(EncodingModel model)
    {
        var folder = Directory.CreateTempSubdirectory("urm-encoding-").FullName;
        var store = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(Path.Combine(folder, "cards.db")), default);
        var host = new ModelHost(new ModelHostOptions(TinyModel.Session));
        await host.ActivateAsync(model.Directory, default);
        return new EncodingWorld(model, folder, store, host);
    }

    public Task<CatalogEncodingReport> EncodeAsync(IEnumerable<CatalogItem> items) => EncodeLinesAsync(null, items);

    /// <summary>Encodes the items written as a catalog, with <paramref name="extraLines"/> appended verbatim.</summary>
    public async Task<CatalogEncodingReport> EncodeLinesAsync(IEnumerable<string>? extraLines, IEnumerable<CatalogItem> items)
    {
        var path = Path.Combine(Folder, $"catalog-{Guid.NewGuid():N}.jsonl");
        await EncodingModel.WriteCatalogAsync(path, items, default);
        if (extraLines is not null) await File.AppendAllLinesAsync(path, extraLines);
        return await EncodeFileAsync(path);
    }

    /// <summary>A catalog file through the chunked run, its chunks encoded here (as `urm serve` does) by <paramref name="encoder"/> (default <see cref="Encoder"/>).</summary>
    public async Task<CatalogEncodingReport> EncodeFileAsync(string path, bool allowMassRetire = false, CatalogEncoder? encoder = null)
    {
        var run = new ChunkedCatalogRun(new FolderRunStore(Path.Combine(Folder, "runs")), new ChunkedRunOptions(ChunkSize: 6));
        using var lease = Host.Acquire();
        var plan = await run.PlanAsync(new RunRequest(path, "1", lease.Version, "", allowMassRetire, Activates: false),
            _ => Task.FromResult<Stream>(File.OpenRead(path)), CatalogFormat.JsonLines, Store, default);
        return await run.RunInProcessAsync(plan, () => encoder ?? Encoder, workers: 2, Store, default);
    }

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        Store.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        await Task.CompletedTask;
    }
}

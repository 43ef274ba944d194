using System.Text.Json;
using Azure.Storage.Blobs.Models;
using Urm.Cli.Tests.Serve;
using Urm.Core.Cards;
using Urm.Functions.Storage;

namespace Urm.Functions.Tests;

/// <summary>
/// The Functions app as configured for Azure (Cosmos DB card sets, blob catalog, model packages and
/// features), on the emulators: Azurite for blobs, the Cosmos DB stand-in for cards. The functions are
/// called directly, as the host would call them; the blob trigger's Event Grid source is the host's business.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class EmulatorEndToEndTests(ServeModel model) : IClassFixture<ServeModel>, IAsyncLifetime
{
    private const string Version = "model-a";
    private LifecycleWorld _world = null!;
    private AppInstance _app = null!;

    public async Task InitializeAsync()
    {
        _world = await LifecycleWorld.CreateAsync(model);
        _app = _world.Start();
    }

    public async Task DisposeAsync()
    {
        if (_world is not null) await _world.DisposeAsync();
    }

    [Fact]
    public async Task Upload_encode_serve_reupload_and_retire_on_the_emulators()
    {
        await ActivateModelAsync();

        // A catalog with 3 bad rows -> every good row stored in Cosmos, the report names the bad ones.
        var good = model.Items;
        var lines = await CatalogLinesAsync(good);
        lines.Insert(3, """{"id": "", "title": "no id"}""");
        lines.Insert(7, "not json at all");
        lines.Insert(11, """{"id": "sku-bad", "title": "price", "price": "cheap"}""");
        var first = await UploadAndEncodeAsync(lines);
        Assert.Equal((good.Count, 3), (first.GetProperty("fused").GetInt32(), (int)first.GetProperty("rejected").GetInt64()));
        Assert.Equal([4, 8, 12], first.GetProperty("rowErrors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()).Order());
        Assert.Equal(good.Select(i => i.Id).Order(), (await _world.LiveCardsAsync(Version)).Select(c => c.Id).Order());

        // The HTTP function answers from those cards (once its index has looked at the store again: at most every second).
        await _app.WaitForAsync(h => h.GetProperty("cardCount").GetInt32() == good.Count, $"{good.Count} cards");
        var (status, _, items) = await _app.RecommendAllAsync();
        Assert.Equal((200, good.Count), (status, items.Count));

        // The same snapshot again -> nothing fused.
        var again = await UploadAndEncodeAsync(lines);
        Assert.Equal((0, good.Count), (again.GetProperty("fused").GetInt32(), again.GetProperty("skippedUnchanged").GetInt32()));

        // An item dropped from the snapshot -> retired, never recommended.
        var dropped = good[^1].Id;
        var third = await UploadAndEncodeAsync(await CatalogLinesAsync(good.Take(good.Count - 1)));
        Assert.Equal(1, third.GetProperty("retired").GetInt32());
        Assert.DoesNotContain(dropped, (await _world.LiveCardsAsync(Version)).Select(c => c.Id));
        await _app.WaitForAsync(h => h.GetProperty("cardCount").GetInt32() == good.Count - 1, $"{good.Count - 1} cards");
        var (_, _, served) = await _app.RecommendAllAsync();
        Assert.Equal(good.Count - 1, served.Count);
        Assert.DoesNotContain(dropped, served);
        Assert.Equal(404, await _app.GetItemStatusAsync(dropped));
        Assert.Equal(200, await _app.GetItemStatusAsync(good[0].Id));
    }

    [Fact]
    public async Task An_image_beside_the_catalog_starts_nothing_and_a_catalog_without_a_valid_row_is_reported_once()
    {
        await ActivateModelAsync();

        // An image uploaded under catalog/ (the Event Grid filter keeps it away; a direct call must not fail either).
        var image = $"{_world.Run}/images/photo.png";
        await _world.Catalog.GetBlobClient(image).UploadAsync(BinaryData.FromBytes([0x89, 0x50, 0x4E, 0x47]));
        await _app.EncodeCatalogAsync(image);
        Assert.Null(await _world.ReportAsync(image));

        // No valid row: the same bytes would fail every retry, so the run reports and returns.
        var blob = _world.Catalog.GetBlobClient(_world.CatalogName);
        await blob.UploadAsync(BinaryData.FromString("not json at all\n{\"id\": \"\", \"title\": \"no id\"}\n"), overwrite: true);
        await _app.EncodeCatalogAsync();
        var report = (await _world.ReportAsync())!.Value;
        Assert.Contains("no valid rows", report.GetProperty("error").GetString());
        Assert.Equal(_world.CatalogName, report.GetProperty("catalog").GetString());
        Assert.Empty(await _world.LiveCardsAsync(Version));
    }

    [Fact]
    public async Task Both_read_passes_see_the_upload_the_run_started_with()
    {
        var blob = _world.Catalog.GetBlobClient($"{_world.Run}/pinned.jsonl");
        await blob.UploadAsync(BinaryData.FromString("{\"id\": \"a\", \"title\": \"first\"}\n"));
        var etag = (await blob.GetPropertiesAsync()).Value.ETag;
        var open = CatalogLifecycle.OpenPinned(blob, etag);
        await using (var first = await open(default)) Assert.True(first.Length > 0);

        await blob.UploadAsync(BinaryData.FromString("{\"id\": \"b\", \"title\": \"newer\"}\n"), overwrite: true);

        var e = await Assert.ThrowsAsync<global::Azure.RequestFailedException>(() => open(default));
        Assert.Equal(412, e.Status);
    }

    [Fact]
    public async Task A_snapshot_missing_most_items_retires_them_only_when_its_metadata_says_it_is_meant()
    {
        await ActivateModelAsync();
        var good = model.Items;
        await UploadAndEncodeAsync(await CatalogLinesAsync(good));
        var one = await CatalogLinesAsync(good.Take(1));

        var held = await UploadAndEncodeAsync(one);
        Assert.Equal((0, good.Count - 1), (held.GetProperty("retired").GetInt32(), held.GetProperty("retireWithheld").GetInt32()));
        Assert.Contains(CatalogLifecycle.AllowMassRetireMetadata, held.GetProperty("warning").GetString());
        Assert.Equal(good.Count, (await _world.LiveCardsAsync(Version)).Count);

        var meant = await UploadAndEncodeAsync(one, new Dictionary<string, string> { [CatalogLifecycle.AllowMassRetireMetadata] = "true" });
        Assert.Equal(good.Count - 1, meant.GetProperty("retired").GetInt32());
        Assert.Equal([good[0].Id], (await _world.LiveCardsAsync(Version)).Select(c => c.Id));
    }

    // A model package and its pointer -> the model function activates it (checksums verified).
    private async Task ActivateModelAsync()
    {
        await _world.UploadModelAsync(Version);
        await _app.ActivateModelAsync();
        await _app.WaitForAsync(h => h.GetProperty("modelVersion").GetString() == Version, $"model {Version}");
    }

    private async Task<JsonElement> UploadAndEncodeAsync(IEnumerable<string> lines, IDictionary<string, string>? metadata = null)
    {
        var blob = _world.Catalog.GetBlobClient(_world.CatalogName);
        await blob.UploadAsync(BinaryData.FromString(string.Join('\n', lines) + "\n"), new BlobUploadOptions { Metadata = metadata });
        await _app.EncodeCatalogAsync();
        await _world.DrainChunksAsync(_app);
        return (await _world.ReportAsync())!.Value;
    }

    private static async Task<List<string>> CatalogLinesAsync(IEnumerable<Urm.Core.Catalog.CatalogItem> items)
    {
        var file = Path.GetTempFileName();
        try
        {
            await ServeModel.WriteCatalogAsync(file, items);
            return (await File.ReadAllLinesAsync(file)).Where(l => l.Length > 0).ToList();
        }
        finally
        {
            File.Delete(file);
        }
    }
}

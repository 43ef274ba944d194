using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Urm.Azure.Cosmos;
using Urm.Azure.Tests.Servers;
using Urm.Cli.Tests.Serve;
using Urm.Core.Cards;
using Urm.Functions.Functions;
using Urm.Functions.Storage;
using Urm.Http.Serving;

namespace Urm.Functions.Tests;

/// <summary>
/// The Functions app as configured for Azure (Cosmos DB card store, blob catalog and model packages), on
/// the emulators: Azurite for blobs, the Cosmos DB stand-in for cards. The functions are called directly,
/// as the host would call them; the blob trigger's Event Grid source is the host's business.
/// </summary>
public sealed class EmulatorEndToEndTests : IClassFixture<ServeModel>, IAsyncLifetime
{
    private readonly ServeModel _model;
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];
    private CosmosStandIn _cosmos = null!;
    private BlobServiceClient _blobs = null!;
    private BlobContainerClient _catalog = null!;
    private BlobContainerClient _models = null!;
    private ServiceProvider _services = null!;

    public EmulatorEndToEndTests(ServeModel model) => _model = model;

    private string CatalogName => $"{_run}/catalog.jsonl";

    public async Task InitializeAsync()
    {
        await _model.InitializeAsync();
        _cosmos = await CosmosStandIn.CreateAsync();
        _blobs = AzuriteBlobs.Client();
        _catalog = _blobs.GetBlobContainerClient("catalog");
        await _catalog.CreateIfNotExistsAsync();
        await _blobs.GetBlobContainerClient("catalog-reports").CreateIfNotExistsAsync();
        _models = await AzuriteBlobs.NewContainerAsync(_blobs, "models");

        var options = _cosmos.Options();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CardStore:Kind"] = "cosmos",
            ["CardStore:ConnectionString"] = options.ConnectionString,
            ["CardStore:Database"] = options.Database,
            ["CardStore:BulkExecution"] = "false",
            ["CatalogStorage"] = "UseDevelopmentStorage=true",
            ["Models:Container"] = _models.Name,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddUrmFunctions(configuration);
        // The stand-in's self-signed certificate: the test transport, not the product, accepts it.
        services.AddSingleton(_ => _cosmos.Store(options));
        services.AddSingleton(_blobs);
        _services = services.BuildServiceProvider();
    }

    [Fact]
    public async Task Upload_encode_serve_reupload_and_retire_on_the_emulators()
    {
        await ActivateModelAsync();

        // A catalog with 3 bad rows -> every good row stored in Cosmos, the report names the bad ones.
        var good = _model.Items;
        var lines = await CatalogLinesAsync(good);
        lines.Insert(3, """{"id": "", "title": "no id"}""");
        lines.Insert(7, "not json at all");
        lines.Insert(11, """{"id": "sku-bad", "title": "price", "price": "cheap"}""");
        var first = await UploadAndEncodeAsync(lines);
        Assert.Equal((good.Count, 3), ((int)first.GetProperty("fused").GetInt32(), (int)first.GetProperty("rejected").GetInt64()));
        Assert.Equal([4, 8, 12], first.GetProperty("rowErrors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()).Order());
        var stored = await ReadCardsAsync();
        Assert.Equal(good.Select(i => i.Id).Order(), stored.Where(c => !c.Retired).Select(c => c.Id).Order());

        // The HTTP function answers from those cards (once its index has looked at the store again: at most every second).
        await WaitForCardsAsync(good.Count);
        var (status, body) = await CallAsync(c => new Recommend(Serving).RunAsync(c.Request, default), """{"history": ["sku-1", "sku-2"], "k": 5}""");
        Assert.Equal(200, status);
        Assert.Equal(5, JsonDocument.Parse(body).RootElement.GetProperty("items").GetArrayLength());

        // The same snapshot again -> nothing fused.
        var again = await UploadAndEncodeAsync(lines);
        Assert.Equal((0, good.Count), (again.GetProperty("fused").GetInt32(), again.GetProperty("skippedUnchanged").GetInt32()));

        // An item dropped from the snapshot -> retired, never recommended, not served by id.
        var dropped = good[^1].Id;
        var third = await UploadAndEncodeAsync(await CatalogLinesAsync(good.Take(good.Count - 1)));
        Assert.Equal(1, third.GetProperty("retired").GetInt32());
        Assert.True((await ReadCardsAsync()).Single(c => c.Id == dropped).Retired);
        await WaitForCardsAsync(good.Count - 1);
        var (_, all) = await CallAsync(c => new Recommend(Serving).RunAsync(c.Request, default), """{"history": ["sku-1"], "k": 200, "rules": {"availableOnly": false, "excludeSeen": false}}""");
        var ids = JsonDocument.Parse(all).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()).ToList();
        Assert.Equal(good.Count - 1, ids.Count);
        Assert.DoesNotContain(dropped, ids);
        var (notFound, _) = await CallAsync(c => new GetItem(Serving).RunAsync(c.Request, dropped, default));
        Assert.Equal(404, notFound);
    }

    private UrmServing Serving => _services.GetRequiredService<UrmServing>();

    // A model package and its pointer -> the model function activates it (checksums verified).
    private async Task ActivateModelAsync()
    {
        var version = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_model.Directory, "manifest.json"))).RootElement.GetProperty("version").GetString()!;
        // The whole folder, as infra/deploy.sh uploads it: the package may hold more than the two graphs
        // (cooccurrence.bin), and the activator refuses a package that lacks a file its manifest names.
        foreach (var path in Directory.EnumerateFiles(_model.Directory))
            await _models.GetBlobClient($"{version}/{Path.GetFileName(path)}").UploadAsync(path);
        var pointer = _models.GetBlobClient("active.json");
        await pointer.UploadAsync(BinaryData.FromString($$"""{"version": "{{version}}"}"""));
        await new ActivateModel(_services.GetRequiredService<BlobModelActivator>()).RunAsync(pointer, default);
        Assert.Equal(version, (await Health()).GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task An_image_beside_the_catalog_starts_nothing_and_a_catalog_without_a_valid_row_is_reported_once()
    {
        await ActivateModelAsync();
        var reports = _blobs.GetBlobContainerClient("catalog-reports");

        // An image uploaded under catalog/ (the Event Grid filter keeps it away; a direct call must not fail either).
        var image = $"{_run}/images/photo.png";
        await _catalog.GetBlobClient(image).UploadAsync(BinaryData.FromBytes([0x89, 0x50, 0x4E, 0x47]));
        await new EncodeCatalog(Encoder).RunAsync(_catalog.GetBlobClient(image), image, default);
        Assert.False((await reports.GetBlobClient($"{_run}/images/photo.json").ExistsAsync()).Value);

        // No valid row: the same bytes would fail every retry, so the run reports and returns.
        var blob = _catalog.GetBlobClient(CatalogName);
        await blob.UploadAsync(BinaryData.FromString("not json at all\n{\"id\": \"\", \"title\": \"no id\"}\n"), overwrite: true);
        await new EncodeCatalog(Encoder).RunAsync(blob, CatalogName, default);
        var report = JsonDocument.Parse((await reports.GetBlobClient($"{_run}/catalog.json").DownloadContentAsync()).Value.Content.ToString()).RootElement;
        Assert.Contains("no valid rows", report.GetProperty("error").GetString());
        Assert.Equal(CatalogName, report.GetProperty("catalog").GetString());
        Assert.Empty(await ReadCardsAsync());
    }

    [Fact]
    public async Task Both_read_passes_see_the_upload_the_run_started_with()
    {
        var blob = _catalog.GetBlobClient($"{_run}/pinned.jsonl");
        await blob.UploadAsync(BinaryData.FromString("{\"id\": \"a\", \"title\": \"first\"}\n"));
        var etag = (await blob.GetPropertiesAsync()).Value.ETag;
        var open = BlobCatalogEncoder.OpenPinned(blob, etag);
        await using (var first = await open(default)) Assert.True(first.Length > 0);

        await blob.UploadAsync(BinaryData.FromString("{\"id\": \"b\", \"title\": \"newer\"}\n"), overwrite: true);

        var e = await Assert.ThrowsAsync<global::Azure.RequestFailedException>(() => open(default));
        Assert.Equal(412, e.Status);
    }

    [Fact]
    public async Task A_snapshot_missing_most_items_retires_them_only_when_its_metadata_says_it_is_meant()
    {
        await ActivateModelAsync();
        var good = _model.Items;
        await UploadAndEncodeAsync(await CatalogLinesAsync(good));
        var one = await CatalogLinesAsync(good.Take(1));

        var held = await UploadAndEncodeAsync(one);
        Assert.Equal((0, good.Count - 1), (held.GetProperty("retired").GetInt32(), held.GetProperty("retireWithheld").GetInt32()));
        Assert.Contains(BlobCatalogEncoder.AllowMassRetireMetadata, held.GetProperty("warning").GetString());
        Assert.Equal(good.Count, (await ReadCardsAsync()).Count(c => !c.Retired));

        var meant = await UploadAndEncodeAsync(one, new Dictionary<string, string> { [BlobCatalogEncoder.AllowMassRetireMetadata] = "true" });
        Assert.Equal(good.Count - 1, meant.GetProperty("retired").GetInt32());
        Assert.Equal([good[0].Id], (await ReadCardsAsync()).Where(c => !c.Retired).Select(c => c.Id));
    }

    private BlobCatalogEncoder Encoder => _services.GetRequiredService<BlobCatalogEncoder>();

    private async Task<JsonElement> UploadAndEncodeAsync(IEnumerable<string> lines, IDictionary<string, string>? metadata = null)
    {
        var blob = _catalog.GetBlobClient(CatalogName);
        await blob.UploadAsync(BinaryData.FromString(string.Join('\n', lines) + "\n"), new global::Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = metadata });
        await new EncodeCatalog(_services.GetRequiredService<BlobCatalogEncoder>()).RunAsync(blob, CatalogName, default);
        var report = await _blobs.GetBlobContainerClient("catalog-reports").GetBlobClient($"{_run}/catalog.json").DownloadContentAsync();
        return JsonDocument.Parse(report.Value.Content.ToString()).RootElement.Clone();
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

    private async Task<List<CardDocument>> ReadCardsAsync()
    {
        var cards = new List<CardDocument>();
        await foreach (var card in _services.GetRequiredService<CosmosCardStore>().ReadChangedAsync(0, default)) cards.Add(card);
        return cards;
    }

    // The served card index checks the store's catalog version at most once a second (CardIndexOptions).
    private async Task WaitForCardsAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await Health()).GetProperty("cardCount").GetInt32() != count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the served index never showed {count} cards");
            await Task.Delay(100);
        }
    }

    private async Task<JsonElement> Health()
    {
        var (status, body) = await CallAsync(c => new Health(Serving).RunAsync(c.Request, default));
        Assert.Equal(200, status);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<(int Status, string Body)> CallAsync(Func<HttpContext, Task<IActionResult>> function, string? body = null)
    {
        var (status, _, text) = await FunctionCall.InvokeAsync(_services, function, body is null ? "GET" : "POST", body);
        return (status, text);
    }

    public async Task DisposeAsync()
    {
        if (_services is not null) await _services.DisposeAsync();
        if (_models is not null) await _models.DeleteIfExistsAsync();
        if (_cosmos is not null) await _cosmos.DisposeAsync();
    }
}

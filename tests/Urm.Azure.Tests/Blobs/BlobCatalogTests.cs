using Azure.Storage.Blobs;
using Urm.Azure.Blobs;
using Urm.Azure.Tests.Servers;
using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Images;

namespace Urm.Azure.Tests.Blobs;

/// <summary>Catalog snapshots, their reports and item images as blobs on Azurite.</summary>
public sealed class BlobCatalogTests : IAsyncLifetime
{
    private BlobServiceClient _blobs = null!;
    private BlobContainerClient _catalog = null!;
    private BlobContainerClient _reports = null!;

    public async Task InitializeAsync()
    {
        _blobs = AzuriteBlobs.Client();
        _catalog = await AzuriteBlobs.NewContainerAsync(_blobs, "catalog");
        _reports = await AzuriteBlobs.NewContainerAsync(_blobs, "reports");
    }

    public async Task DisposeAsync()
    {
        await _catalog.DeleteIfExistsAsync();
        await _reports.DeleteIfExistsAsync();
    }

    [Fact]
    public async Task A_report_lands_beside_the_catalog_name_as_json()
    {
        var report = new CatalogEncodingReport(3, 2, 1, [], 0, 2, 0, [], new ExtractionCounts(2, 0, 2, 0, 0), "m1", 7, 0.5);

        var name = await new BlobCatalogReports(_blobs, _reports.Name).WriteAsync("shop/full.jsonl", report, default);

        Assert.Equal("shop/full.json", name);
        var json = (await _reports.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("\"catalogVersion\": 7", json, StringComparison.Ordinal);
        Assert.Contains("\"rejected\": 1", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Images_are_read_by_path_relative_to_the_container_and_nothing_outside_it()
    {
        await _catalog.GetBlobClient("images/sku-1.jpg").UploadAsync(new BinaryData(new byte[] { 0xFF, 0xD8, 0xFF }));
        var images = new BlobImageSource(_catalog, maxBytes: 1_000);

        await using (var image = await images.OpenAsync("images/sku-1.jpg", default))
            Assert.Equal(3, image.Length);
        var missing = await Assert.ThrowsAsync<ImageSourceException>(() => images.OpenAsync("images/sku-2.jpg", default));
        Assert.Contains($"{_catalog.Name}/images/sku-2.jpg", missing.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ImageSourceException>(() => images.OpenAsync("../models/active.json", default));
        await Assert.ThrowsAsync<ImageSourceException>(() => images.OpenAsync("https://example.invalid/x.jpg", default));
        var small = new BlobImageSource(_catalog, maxBytes: 2);
        Assert.Contains("over the 2-byte limit", (await Assert.ThrowsAsync<ImageSourceException>(() => small.OpenAsync("images/sku-1.jpg", default))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Images_of_a_catalog_in_a_folder_are_read_from_beside_it()
    {
        await _catalog.GetBlobClient("shop/images/sku-1.jpg").UploadAsync(new BinaryData(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 }));
        var images = new BlobImageSource(_catalog, BlobImageSource.FolderOf("shop/catalog.jsonl"));

        await using (var image = await images.OpenAsync("images/sku-1.jpg", default))
            Assert.Equal(4, image.Length);
        Assert.Equal("", BlobImageSource.FolderOf("catalog.jsonl"));
        await Assert.ThrowsAsync<ImageSourceException>(() => images.OpenAsync("../images/sku-1.jpg", default));
    }
}

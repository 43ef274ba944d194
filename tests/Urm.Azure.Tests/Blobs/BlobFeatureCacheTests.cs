using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Urm.Azure.Blobs;
using Urm.Azure.Tests.Servers;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Text;

namespace Urm.Azure.Tests.Blobs;

/// <summary>
/// Two instances, each with its own empty local folder, sharing one features container on Azurite:
/// what one encodes, the other fetches instead of encoding it again.
/// </summary>
public sealed class BlobFeatureCacheTests : IAsyncLifetime
{
    private readonly List<string> _folders = [];
    private readonly List<FileFeatureCache> _locals = [];
    private BlobServiceClient _blobs = null!;
    private BlobContainerClient _features = null!;

    public async Task InitializeAsync()
    {
        _blobs = AzuriteBlobs.Client();
        _features = await AzuriteBlobs.NewContainerAsync(_blobs, "features");
    }

    public async Task DisposeAsync()
    {
        await _features.DeleteIfExistsAsync();
        foreach (var local in _locals) local.Dispose();
        foreach (var folder in _folders)
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>A new instance: a fresh local folder in front of the shared container.</summary>
    private BlobFeatureCache Instance(BlobContainerClient? container = null, ILogger<BlobFeatureCache>? logger = null, string? variant = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "urm-blob-features-" + Guid.NewGuid().ToString("N"));
        _folders.Add(folder);
        var local = new FileFeatureCache(folder);
        _locals.Add(local);
        return new BlobFeatureCache(local, container ?? _features, concurrency: 4, logger: logger, variant: variant);
    }

    private static string Hash(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([(byte)i]));

    // Values whose bits a lossy round trip would change: negative zero, a subnormal, the extremes.
    private static ItemFeatures Features(int i, bool image = true, int price = 3) => new(
        $"sku-{i}", Hash(i),
        [-0f, float.Epsilon, float.MaxValue, float.MinValue, 1f / 3, i],
        image ? [0.1f, -2.5e-38f, i] : null,
        [7, 65_535, i + 1], price);

    private async Task<List<string>> BlobNamesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in _features.GetBlobsAsync()) names.Add(blob.Name);
        return names;
    }

    [Fact]
    public async Task What_one_instance_flushed_another_with_an_empty_disk_prefetches_bit_for_bit()
    {
        var first = Instance();
        first.Put(Features(1));
        first.Put(Features(2, image: false, price: -1));
        await first.FlushAsync(default);

        var second = Instance();
        Assert.Equal(0, second.Count);
        await second.PrefetchAsync([Hash(1), Hash(2), Hash(3)], default);

        Assert.Equal(2, second.Count);
        Assert.True(second.TryGet(Hash(1), out var one));
        AssertBitExact(Features(1), one);
        Assert.True(second.TryGet(Hash(2), out var two));
        AssertBitExact(Features(2, image: false, price: -1), two);
        Assert.False(second.TryGet(Hash(3), out _));
        Assert.Equal([BlobFeatureCache.Prefix + Hash(1), BlobFeatureCache.Prefix + Hash(2)], (await BlobNamesAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Features_of_another_variant_are_kept_apart_from_the_default_ones()
    {
        var int8 = Instance(variant: "int8");
        int8.Put(Features(1));
        await int8.FlushAsync(default);

        var fp32 = Instance();
        await fp32.PrefetchAsync([Hash(1)], default);
        var otherInt8 = Instance(variant: "int8");
        await otherInt8.PrefetchAsync([Hash(1)], default);

        Assert.Equal(["v1-int8/" + Hash(1)], await BlobNamesAsync());
        Assert.False(fp32.TryGet(Hash(1), out _));
        Assert.True(otherInt8.TryGet(Hash(1), out var features));
        AssertBitExact(Features(1), features);
        Assert.Throws<ArgumentException>(() => Instance(variant: "../v1"));
    }

    [Fact]
    public async Task Nothing_is_uploaded_before_FlushAsync_and_nothing_twice()
    {
        var cache = Instance();
        cache.Put(Features(1));
        cache.Flush();

        Assert.Empty(await BlobNamesAsync());
        Assert.True(cache.TryGet(Hash(1), out _));

        await cache.FlushAsync(default);
        Assert.Equal([BlobFeatureCache.Prefix + Hash(1)], await BlobNamesAsync());

        await _features.DeleteBlobAsync(BlobFeatureCache.Prefix + Hash(1));
        await cache.FlushAsync(default);
        Assert.Empty(await BlobNamesAsync());
    }

    [Fact]
    public async Task Uploads_that_failed_are_retried_by_the_next_flush()
    {
        var absent = _blobs.GetBlobContainerClient("features-later-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var cache = Instance(absent);
            cache.Put(Features(1));

            var error = await Assert.ThrowsAsync<RequestFailedException>(async () => await cache.FlushAsync(default));
            Assert.Equal(404, error.Status);

            await absent.CreateAsync();
            await cache.FlushAsync(default);
            Assert.True(await absent.GetBlobClient(BlobFeatureCache.Prefix + Hash(1)).ExistsAsync());
        }
        finally
        {
            await absent.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task A_blob_that_is_not_the_record_of_its_hash_is_a_logged_miss_and_the_rest_of_the_batch_is_found()
    {
        var writer = Instance();
        writer.Put(Features(1));
        await writer.FlushAsync(default);
        var good = FeatureRecord.Encode(Features(2));
        await _features.GetBlobClient(BlobFeatureCache.Prefix + Hash(2)).UploadAsync(BinaryData.FromBytes(good[..^5]));
        await _features.GetBlobClient(BlobFeatureCache.Prefix + Hash(3)).UploadAsync(BinaryData.FromString("not a record"));
        await _features.GetBlobClient(BlobFeatureCache.Prefix + Hash(4)).UploadAsync(BinaryData.FromBytes(good));
        var logger = new ListLogger<BlobFeatureCache>();
        var reader = Instance(logger: logger);

        await reader.PrefetchAsync([Hash(1), Hash(2), Hash(3), Hash(4)], default);

        Assert.True(reader.TryGet(Hash(1), out _));
        Assert.False(reader.TryGet(Hash(2), out _));
        Assert.False(reader.TryGet(Hash(3), out _));
        Assert.False(reader.TryGet(Hash(4), out _));
        Assert.Equal(3, logger.Entries.Count(e => e.Level == LogLevel.Warning));
        Assert.Contains(logger.Entries, e => e.Message.Contains(Hash(4), StringComparison.Ordinal) && e.Message.Contains(Hash(2), StringComparison.Ordinal));
    }

    [Fact]
    public async Task What_the_local_cache_has_is_not_fetched_again()
    {
        var cache = Instance();
        cache.Put(Features(1) with { PriceBucket = 5 });
        // Another copy under the same hash in the container: a download would replace the local one.
        await _features.GetBlobClient(BlobFeatureCache.Prefix + Hash(1)).UploadAsync(BinaryData.FromBytes(FeatureRecord.Encode(Features(1) with { PriceBucket = 6 })));

        await cache.PrefetchAsync([Hash(1)], default);

        Assert.True(cache.TryGet(Hash(1), out var features));
        Assert.Equal(5, features.PriceBucket);
    }

    [Fact]
    public async Task A_hash_that_cannot_name_a_blob_is_refused_before_anything_is_fetched_or_put()
    {
        var cache = Instance();

        Assert.Equal("v1/" + Hash(1), BlobFeatureCache.BlobName(Hash(1)));
        Assert.Equal("v1/ab+image-pending", BlobFeatureCache.BlobName("ab+image-pending"));
        Assert.Throws<ArgumentException>(() => BlobFeatureCache.BlobName("../models/active.json"));
        Assert.Throws<ArgumentException>(() => BlobFeatureCache.BlobName(""));
        Assert.Throws<ArgumentException>(() => cache.Put(Features(1) with { ContentHash = "a/b" }));
        await Assert.ThrowsAsync<ArgumentException>(async () => await cache.PrefetchAsync([Hash(1), "a b"], default));
        Assert.Equal(0, cache.Count);
        await cache.FlushAsync(default);
        Assert.Empty(await BlobNamesAsync());
    }

    [Fact]
    public async Task A_second_instance_extracts_what_the_first_encoded_without_encoding_anything()
    {
        var items = Enumerable.Range(0, 5)
            .Select(i => new CatalogItem($"sku-{i}", $"Lipstick {i}", "Matte.", "Beauty > Lips", "Acme", 10 + i, new Dictionary<string, string> { ["colour"] = "red" }, null, true))
            .ToList();
        var firstText = new CountingTextEncoder();
        var firstRun = await ExtractAsync(new ItemFeatureExtractor(firstText, null, Instance(), options: new ItemFeatureExtractorOptions(BatchSize: 2)), items);
        Assert.Equal(5, firstText.Texts);

        var secondText = new CountingTextEncoder();
        var second = new ItemFeatureExtractor(secondText, null, Instance(), options: new ItemFeatureExtractorOptions(BatchSize: 2));
        var secondRun = await ExtractAsync(second, items);

        Assert.Equal(0, secondText.Texts);
        Assert.Equal(new ExtractionCounts(5, 5, 0, 0, 0), second.Counts);
        for (var i = 0; i < items.Count; i++) AssertBitExact(firstRun[i], secondRun[i]);
    }

    private static async Task<List<ItemFeatures>> ExtractAsync(ItemFeatureExtractor extractor, List<CatalogItem> items)
    {
        var output = new List<ItemFeatures>();
        await foreach (var (_, features) in extractor.ExtractAsync(Rows(items), default)) output.Add(features);
        return output;
    }

    private static async IAsyncEnumerable<(CatalogItem Item, string ContentHash)> Rows(List<CatalogItem> items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return (item, ContentHash.Compute(item));
        }
    }

    private static void AssertBitExact(ItemFeatures expected, ItemFeatures actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.ContentHash, actual.ContentHash);
        Assert.Equal(expected.Text.Select(BitConverter.SingleToInt32Bits), actual.Text.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected.Image?.Select(BitConverter.SingleToInt32Bits), actual.Image?.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected.AttributeTokens, actual.AttributeTokens);
        Assert.Equal(expected.PriceBucket, actual.PriceBucket);
    }

    /// <summary>Counts the texts it is asked to encode; the vector depends on the text, so a wrong cache hit shows.</summary>
    private sealed class CountingTextEncoder : ITextEncoder
    {
        private int _texts;

        public int Texts => Volatile.Read(ref _texts);

        public int Dimension => 3;

        public float[][] Encode(IReadOnlyList<string> texts)
        {
            Interlocked.Add(ref _texts, texts.Count);
            return texts.Select(t => new float[] { t.Length, t.GetHashCode(StringComparison.Ordinal), 1f / 3 }).ToArray();
        }
    }
}

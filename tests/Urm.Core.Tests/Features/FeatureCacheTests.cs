using Urm.Core.Features;
using Urm.Core.Features.Cache;

namespace Urm.Core.Tests.Features;

public sealed class FeatureCacheTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "urm-cache-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static ItemFeatures Features(string hash, bool image = true) => new(
        "sku-" + hash, hash,
        Enumerable.Range(0, 384).Select(i => i / 384f).ToArray(),
        image ? Enumerable.Range(0, 512).Select(i => -i / 7f).ToArray() : null,
        [3, 65_535, 17], 9);

    [Fact]
    public void The_file_cache_survives_being_reopened()
    {
        using (var cache = new FileFeatureCache(_folder))
        {
            cache.Put(Features("aa"));
            cache.Put(Features("bb", image: false));
        }

        using var reopened = new FileFeatureCache(_folder);

        Assert.Equal(2, reopened.Count);
        Assert.True(reopened.TryGet("aa", out var aa));
        AssertSame(Features("aa"), aa);
        Assert.True(reopened.TryGet("bb", out var bb));
        Assert.Null(bb.Image);
        Assert.False(reopened.TryGet("cc", out _));
    }

    [Fact]
    public void The_newest_entry_for_a_hash_wins_and_new_entries_append_after_reopen()
    {
        using (var cache = new FileFeatureCache(_folder))
        {
            cache.Put(Features("aa"));
            cache.Put(Features("aa") with { PriceBucket = 4 });
        }
        using (var cache = new FileFeatureCache(_folder))
        {
            Assert.True(cache.TryGet("aa", out var aa));
            Assert.Equal(4, aa.PriceBucket);
            cache.Put(Features("bb"));
        }
        using var last = new FileFeatureCache(_folder);
        Assert.Equal(2, last.Count);
    }

    [Fact]
    public void A_record_torn_by_a_crash_is_dropped_and_the_rest_kept()
    {
        using (var cache = new FileFeatureCache(_folder))
        {
            cache.Put(Features("aa"));
            cache.Put(Features("bb"));
        }
        var path = Path.Combine(_folder, FileFeatureCache.FileName);
        using (var file = new FileStream(path, FileMode.Open))
            file.SetLength(file.Length - 10);

        using (var reopened = new FileFeatureCache(_folder))
        {
            Assert.True(reopened.TryGet("aa", out _));
            Assert.False(reopened.TryGet("bb", out _));
            reopened.Put(Features("cc"));
        }
        using var again = new FileFeatureCache(_folder);
        Assert.True(again.TryGet("cc", out var cc));
        AssertSame(Features("cc"), cc);
    }

    [Fact]
    public void A_foreign_file_is_refused_with_what_to_do()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, FileFeatureCache.FileName), "not a cache at all");

        var error = Assert.Throws<InvalidDataException>(() => new FileFeatureCache(_folder));
        Assert.Contains("move it away", error.Message);
    }

    [Fact]
    public void The_memory_cache_returns_what_was_put()
    {
        var cache = new InMemoryFeatureCache();
        cache.Put(Features("aa"));

        Assert.True(cache.TryGet("aa", out var aa));
        Assert.Equal("sku-aa", aa.Id);
        Assert.False(cache.TryGet("bb", out _));
    }

    private static void AssertSame(ItemFeatures expected, ItemFeatures actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.ContentHash, actual.ContentHash);
        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.Image, actual.Image);
        Assert.Equal(expected.AttributeTokens, actual.AttributeTokens);
        Assert.Equal(expected.PriceBucket, actual.PriceBucket);
    }
}

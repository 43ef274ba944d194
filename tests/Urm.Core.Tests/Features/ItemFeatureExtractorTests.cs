using System.Diagnostics.CodeAnalysis;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Attributes;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;

namespace Urm.Core.Tests.Features;

public class ItemFeatureExtractorTests
{
    private static async IAsyncEnumerable<(CatalogItem Item, string ContentHash)> Rows(params (CatalogItem Item, string Hash)[] rows)
    {
        foreach (var row in rows)
        {
            await Task.Yield();
            yield return row;
        }
    }

    private static (CatalogItem, string)[] Catalog(int count, Func<int, string?>? image = null)
        => Enumerable.Range(0, count)
            .Select(i => (TestItems.Make(id: $"sku-{i}", title: new string('t', i + 1), price: i, image: image?.Invoke(i)), $"hash-{i}"))
            .ToArray();

    private static async Task<List<ItemFeatures>> Run(ItemFeatureExtractor extractor, (CatalogItem, string)[] rows)
    {
        var output = new List<ItemFeatures>();
        await foreach (var (_, features) in extractor.ExtractAsync(Rows(rows), CancellationToken.None)) output.Add(features);
        return output;
    }

    [Fact]
    public async Task Features_come_out_in_input_order_in_batches()
    {
        var text = new CountingTextEncoder();
        var extractor = new ItemFeatureExtractor(text, null, new InMemoryFeatureCache(), options: new ItemFeatureExtractorOptions(BatchSize: 64));
        var rows = Catalog(150);

        var output = await Run(extractor, rows);

        Assert.Equal(rows.Select(r => r.Item1.Id), output.Select(f => f.Id));
        Assert.Equal(rows.Select(r => r.Item2), output.Select(f => f.ContentHash));
        Assert.Equal(3, text.Calls);
        Assert.Equal(ItemText.Build(rows[7].Item1).Length, output[7].Text[0]);
        Assert.Equal(AttributeTokens.For(rows[7].Item1), output[7].AttributeTokens);
        Assert.Equal(PriceBucket.Of(7), output[7].PriceBucket);
        Assert.All(output, f => Assert.Null(f.Image));
        Assert.Equal(new ExtractionCounts(150, 0, 150, 0, 0), extractor.Counts);
    }

    [Fact]
    public async Task A_second_run_takes_every_unchanged_item_from_the_cache()
    {
        var cache = new InMemoryFeatureCache();
        var text = new CountingTextEncoder();
        var images = new ScriptedImageEncoder();
        var rows = Catalog(10, i => $"img-{i}.png");
        await Run(new ItemFeatureExtractor(text, images, cache), rows);
        var callsAfterFirstRun = text.Calls;

        var second = new ItemFeatureExtractor(text, images, cache);
        var output = await Run(second, rows);

        Assert.Equal(callsAfterFirstRun, text.Calls);
        Assert.Equal(10, images.References);
        Assert.Equal(new ExtractionCounts(10, 10, 0, 0, 0), second.Counts);
        Assert.Equal(rows.Select(r => r.Item1.Id), output.Select(f => f.Id));
        Assert.All(output, f => Assert.NotNull(f.Image));
    }

    [Fact]
    public async Task Image_problems_are_reported_and_retried_next_run_while_the_rest_is_cached()
    {
        var cache = new InMemoryFeatureCache();
        var text = new CountingTextEncoder();
        var problems = new ImageProblemLog();
        var rows = Catalog(4, i => i == 2 ? "bad-2.png" : i == 3 ? null : $"img-{i}.png");
        var first = new ItemFeatureExtractor(text, new ScriptedImageEncoder(), cache, problems);

        var output = await Run(first, rows);

        Assert.Null(output[2].Image);
        Assert.Null(output[3].Image);
        Assert.NotNull(output[0].Image);
        var problem = Assert.Single(problems.Problems);
        Assert.Equal(new ItemImageProblem("sku-2", new ImageProblem("bad-2.png", "scripted failure")), problem);
        Assert.Equal(new ExtractionCounts(4, 0, 4, 2, 1), first.Counts);

        var second = new ItemFeatureExtractor(text, new ScriptedImageEncoder(), cache, problems);
        await Run(second, rows);
        Assert.Equal(new ExtractionCounts(4, 3, 1, 0, 1), second.Counts);
    }

    [Fact]
    public async Task Rows_sharing_a_content_hash_are_encoded_once_and_keep_their_own_ids()
    {
        var text = new CountingTextEncoder();
        var extractor = new ItemFeatureExtractor(text, null, new InMemoryFeatureCache());
        var item = TestItems.Make();

        var output = await Run(extractor, [(item with { Id = "a" }, "same"), (item with { Id = "b" }, "same")]);

        Assert.Equal(["a", "b"], output.Select(f => f.Id));
        Assert.Same(output[0].Text, output[1].Text);
        Assert.Equal(1, text.Texts);
    }

    [Fact]
    public async Task A_cache_hit_is_stamped_with_the_rows_own_id()
    {
        var cache = new InMemoryFeatureCache();
        var extractor = new ItemFeatureExtractor(new CountingTextEncoder(), null, cache);
        await Run(extractor, [(TestItems.Make(id: "old-id"), "h")]);

        var output = await Run(extractor, [(TestItems.Make(id: "new-id"), "h")]);

        Assert.Equal("new-id", Assert.Single(output).Id);
    }

    [Fact]
    public async Task Each_batch_is_prefetched_before_it_is_looked_up_and_flushed_async_after_its_misses_are_put()
    {
        var cache = new RecordingCache();
        cache.Remote["hash-1"] = new ItemFeatures("elsewhere", "hash-1", [9, 9, 9, 9], null, [], -1);
        var text = new CountingTextEncoder();
        var extractor = new ItemFeatureExtractor(text, null, cache, options: new ItemFeatureExtractorOptions(BatchSize: 3));
        var rows = Catalog(4);
        rows[2] = (rows[2].Item1, "hash-0");

        var output = await Run(extractor, rows);

        Assert.Equal(
            [
                "prefetch hash-0 hash-1", "get hash-0", "get hash-1", "get hash-0", "put hash-0", "flush-async",
                "prefetch hash-3", "get hash-3", "put hash-3", "flush-async",
            ],
            cache.Events);
        Assert.Equal([9, 9, 9, 9], output[1].Text);
        Assert.Equal("sku-1", output[1].Id);
        Assert.Equal(new ExtractionCounts(4, 1, 2, 0, 0), extractor.Counts);
    }

    [Fact]
    public async Task A_batch_served_wholly_from_the_cache_is_not_flushed()
    {
        var cache = new RecordingCache();
        var rows = Catalog(2);
        await Run(new ItemFeatureExtractor(new CountingTextEncoder(), null, cache), rows);
        cache.Events.Clear();

        await Run(new ItemFeatureExtractor(new CountingTextEncoder(), null, cache), rows);

        Assert.Equal(["prefetch hash-0 hash-1", "get hash-0", "get hash-1"], cache.Events);
    }

    [Fact]
    public async Task A_cache_without_async_hooks_prefetches_nothing_and_flushes_through_Flush()
    {
        IFeatureCache cache = new SyncOnlyCache();

        await cache.PrefetchAsync(["a"], default);
        await cache.FlushAsync(default);

        Assert.Equal(1, ((SyncOnlyCache)cache).Flushes);
        Assert.Equal(0, cache.Count);
    }

    /// <summary>Records every call in order; a prefetch copies what <see cref="Remote"/> holds into the cache.</summary>
    private sealed class RecordingCache : IFeatureCache
    {
        private readonly Dictionary<string, ItemFeatures> _local = new(StringComparer.Ordinal);

        public Dictionary<string, ItemFeatures> Remote { get; } = new(StringComparer.Ordinal);

        public List<string> Events { get; } = [];

        public int Count => _local.Count;

        public ValueTask PrefetchAsync(IReadOnlyCollection<string> contentHashes, CancellationToken cancellationToken)
        {
            Events.Add("prefetch " + string.Join(' ', contentHashes.Order(StringComparer.Ordinal)));
            foreach (var hash in contentHashes)
                if (Remote.TryGetValue(hash, out var features)) _local[hash] = features;
            return ValueTask.CompletedTask;
        }

        public bool TryGet(string contentHash, [MaybeNullWhen(false)] out ItemFeatures features)
        {
            Events.Add("get " + contentHash);
            return _local.TryGetValue(contentHash, out features);
        }

        public void Put(ItemFeatures features)
        {
            Events.Add("put " + features.ContentHash);
            _local[features.ContentHash] = features;
        }

        public void Flush() => Events.Add("flush");

        public ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            Events.Add("flush-async");
            return ValueTask.CompletedTask;
        }
    }

    private sealed class SyncOnlyCache : IFeatureCache
    {
        public int Flushes { get; private set; }

        public int Count => 0;

        public bool TryGet(string contentHash, [MaybeNullWhen(false)] out ItemFeatures features)
        {
            features = null;
            return false;
        }

        public void Put(ItemFeatures features) => throw new InvalidOperationException("Nothing is put in this test.");

        public void Flush() => Flushes++;
    }
}

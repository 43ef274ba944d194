using Urm.Core.Catalog;
using Urm.Core.Features;

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
        await foreach (var features in extractor.ExtractAsync(Rows(rows), CancellationToken.None)) output.Add(features);
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
}

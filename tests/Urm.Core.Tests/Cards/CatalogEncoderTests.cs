using System.Text.Json;
using System.Text.Json.Nodes;
using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Core.Features.Images;
using Urm.Core.Tests.Models;

namespace Urm.Core.Tests.Cards;

[Collection(EncodingModelCollection.Name)]
public sealed class CatalogEncoderTests(EncodingModel model)
{
    [Fact]
    public async Task A_first_run_stores_every_item_and_an_unchanged_rerun_fuses_nothing()
    {
        await using var world = await EncodingWorld.StartAsync(model);

        var first = await world.EncodeAsync(model.Items);
        var second = await world.EncodeAsync(model.Items);

        Assert.Equal(EncodingModel.ItemCount, first.Fused);
        Assert.Equal(model.Version, first.ModelVersion);
        Assert.Equal(0, second.Fused);
        Assert.Equal(EncodingModel.ItemCount, second.SkippedUnchanged);
        Assert.Equal(0, second.Extraction.Items); // skipped before feature extraction, not just served from the cache
        var card = await world.Store.ReadCardAsync("sku-3", default);
        Assert.NotNull(card);
        var item = model.Items.Single(i => i.Id == "sku-3");
        Assert.Equal(item.Title, card.Title);
        Assert.Equal(ContentHash.Compute(item), card.ContentHash);
        Assert.Equal(24, card.Vector.Length);
        Assert.Contains(item.Brand!, card.KeyPoints);
        Assert.Contains("material: ", card.KeyPoints);
    }

    [Fact]
    public async Task Every_card_carries_the_quantized_text_vector_of_its_items_features()
    {
        await using var world = await EncodingWorld.StartAsync(model);

        await world.EncodeAsync(model.Items);

        foreach (var item in model.Items)
        {
            var card = await world.Store.ReadCardAsync(item.Id, default);
            Assert.True(world.Cache.TryGet(ContentHash.Compute(item), out var features), item.Id);
            Assert.Equal(384, features.Text.Length);
            Assert.Equal(CardText.Quantize(features.Text), card!.Text);
            // The codes are the item's own text: they give back its MiniLM vector to within half a step.
            var back = new float[card.Text!.Length];
            CardText.Dequantize(card.Text, back);
            Assert.All(back.Zip(features.Text), p => Assert.True(MathF.Abs(p.First - p.Second) <= 1f / 254 + 1e-7f));
        }
    }

    [Fact]
    public async Task An_item_new_since_training_is_stored_with_its_lender()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        var idTable = JsonNode.Parse(File.ReadAllText(Path.Combine(model.Directory, "manifest.json")))!["idTable"]!.AsObject();
        var known = model.Items.First(i => idTable.ContainsKey(i.Id));
        var twin = known with { Id = "twin-of-" + known.Id };   // same text, an id the model never saw

        await world.EncodeAsync([.. model.Items, twin]);

        Assert.Equal(known.Id, (await world.Store.ReadCardAsync(twin.Id, default))!.Lender);
        Assert.Null((await world.Store.ReadCardAsync(known.Id, default))!.Lender);
    }

    [Fact]
    public async Task Changing_one_title_fuses_exactly_that_item()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        await world.EncodeAsync(model.Items);
        var before = await world.Store.GetCatalogVersionAsync(default);

        var report = await world.EncodeAsync(model.Items.Select(i => i.Id == "sku-7" ? i with { Title = "A brand new title" } : i));

        Assert.Equal(1, report.Fused);
        Assert.Equal(1, report.Extraction.TextsEncoded);
        Assert.Equal(EncodingModel.ItemCount - 1, report.SkippedUnchanged);
        var changed = new List<string>();
        await foreach (var card in world.Store.ReadChangedAsync(before, default)) changed.Add(card.Id);
        Assert.Equal(["sku-7"], changed);
        Assert.Equal("A brand new title", (await world.Store.ReadCardAsync("sku-7", default))!.Title);
    }

    [Fact]
    public async Task An_item_dropped_from_the_snapshot_is_retired()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        await world.EncodeAsync(model.Items);

        var report = await world.EncodeAsync(model.Items.Where(i => i.Id != "sku-4"));

        Assert.Equal(1, report.Retired);
        Assert.Equal(0, report.Fused);
        Assert.True((await world.Store.ReadCardAsync("sku-4", default))!.Retired);
        Assert.DoesNotContain("sku-4", (await world.Store.GetStampsAsync(default)).Keys);
    }

    [Fact]
    public async Task A_snapshot_missing_most_of_the_catalog_retires_nothing_unless_it_is_meant_to()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        await world.EncodeAsync(model.Items);
        var kept = model.Items.Take(5).ToList();   // a broken export: 15 of 20 live items missing

        var held = await world.EncodeAsync(kept);

        Assert.Equal((0, 15), (held.Retired, held.RetireWithheld));
        Assert.Contains("retire limit", held.Warning);
        Assert.Equal(EncodingModel.ItemCount, (await world.Store.GetStampsAsync(default)).Count);

        var path = Path.Combine(world.Folder, "meant.jsonl");
        await EncodingModel.WriteCatalogAsync(path, kept, default);
        var meant = await world.EncodeFileAsync(path, allowMassRetire: true);

        Assert.Equal((15, 0), (meant.Retired, meant.RetireWithheld));
        Assert.Null(meant.Warning);
        Assert.Equal(kept.Select(i => i.Id).Order(), (await world.Store.GetStampsAsync(default)).Keys.Order());
    }

    [Fact]
    public async Task An_image_that_failed_is_retried_on_the_next_run_though_the_item_is_unchanged()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        var images = new FlakyImageEncoder { Failing = true };
        var encoder = new CatalogEncoder(world.Store, world.Host, model.Text, images, world.Cache);
        var items = model.Items.Take(4).Select((i, n) => n == 0 ? i with { Image = "pictures/sku.jpg" } : i).ToList();
        var path = Path.Combine(world.Folder, "with-image.jsonl");
        await EncodingModel.WriteCatalogAsync(path, items, default);
        Task<CatalogEncodingReport> Run() => world.EncodeFileAsync(path, encoder: encoder);

        var failed = await Run();
        Assert.Equal((4, 1), (failed.Fused, failed.ImageProblems.Count));
        var again = await Run();   // the picture is there now: only the item that lacked it is encoded again
        images.Failing = false;
        var fixedRun = await Run();

        Assert.Equal((1, 3, 1), (again.Fused, again.SkippedUnchanged, again.ImageProblems.Count));
        Assert.Equal((1, 3, 0), (fixedRun.Fused, fixedRun.SkippedUnchanged, fixedRun.ImageProblems.Count));
        Assert.Equal(0, (await Run()).Fused);   // fixed for good: unchanged from now on
        Assert.Equal(ContentHash.Compute(items[0]), (await world.Store.ReadCardAsync(items[0].Id, default))!.ContentHash);
    }

    private sealed class FlakyImageEncoder : IImageEncoder
    {
        public bool Failing { get; set; }

        public int Dimension => 512;

        public Task<ImageEncoding[]> EncodeAsync(IReadOnlyList<string> references, CancellationToken cancellationToken)
            => Task.FromResult(references.Select(r => Failing
                ? new ImageEncoding(null, new ImageProblem(r, "not uploaded yet"))
                : new ImageEncoding(Enumerable.Repeat(0.01f, 512).ToArray(), null)).ToArray());
    }

    [Fact]
    public async Task Up_to_the_retire_limit_a_snapshot_retires_what_it_lacks()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        await world.EncodeAsync(model.Items);

        var report = await world.EncodeAsync(model.Items.Skip(10));   // exactly half: at the limit, not above it

        Assert.Equal((10, 0), (report.Retired, report.RetireWithheld));
        Assert.Null(report.Warning);
    }

    [Fact]
    public async Task Bad_rows_are_reported_and_every_good_row_is_stored()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        string[] bad = ["""{"id": "bad-1"}""", "{not json", """{"id": "bad-3", "title": "Negative", "price": -4}"""];

        var report = await world.EncodeLinesAsync(bad, model.Items);

        Assert.Equal(3, report.Rejected);
        Assert.Equal(3, report.RowErrors.Count);
        Assert.Equal(EncodingModel.ItemCount, report.Fused);
        Assert.Equal(EncodingModel.ItemCount, (await world.Store.GetStampsAsync(default)).Count);
        var json = Path.Combine(world.Folder, "report.json");
        await report.WriteAsync(json, default);
        var written = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement;
        Assert.Equal(3, written.GetProperty("rejected").GetInt64());
        Assert.Equal(3, written.GetProperty("rowErrors").GetArrayLength());
        Assert.Equal(model.Version, written.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task An_all_bad_catalog_is_a_clear_error_and_retires_nothing()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        await world.EncodeAsync(model.Items);
        var before = await world.Store.GetCatalogVersionAsync(default);

        var e = await Assert.ThrowsAsync<InvalidCatalogException>(() => world.EncodeLinesAsync(["{oops", """{"id": "x"}"""], []));

        Assert.Contains("no valid rows", e.Message);
        Assert.Equal(before, await world.Store.GetCatalogVersionAsync(default));
        Assert.Equal(EncodingModel.ItemCount, (await world.Store.GetStampsAsync(default)).Count);
    }

    [Fact]
    public async Task A_new_model_version_re_fuses_every_item_from_cached_features()
    {
        await using var world = await EncodingWorld.StartAsync(model);
        await world.EncodeAsync(model.Items);
        await world.Host.ActivateAsync(model.SecondDirectory, default);

        var report = await world.EncodeAsync(model.Items);

        Assert.Equal(EncodingModel.ItemCount, report.Fused);
        Assert.Equal(0, report.Extraction.TextsEncoded);
        Assert.Equal(EncodingModel.ItemCount, report.Extraction.CacheHits);
        Assert.All((await world.Store.GetStampsAsync(default)).Values, s => Assert.Equal(model.SecondVersion, s.ModelVersion));
    }
}

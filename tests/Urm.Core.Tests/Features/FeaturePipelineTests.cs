using SixLabors.ImageSharp;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;

namespace Urm.Core.Tests.Features;

/// <summary>The real encoders and the file cache together, across a "restart".</summary>
public sealed class FeaturePipelineTests(TextEncoderFixture text, ImageEncoderFixture images)
    : IClassFixture<TextEncoderFixture>, IClassFixture<ImageEncoderFixture>, IDisposable
{
    private readonly string _cacheFolder = Path.Combine(Path.GetTempPath(), "urm-pipeline-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_cacheFolder)) Directory.Delete(_cacheFolder, recursive: true);
    }

    [Fact]
    public async Task Real_encoders_fill_the_file_cache_and_a_reopened_cache_serves_the_next_run()
    {
        using (var disc = TestPictures.RedDisc()) disc.SaveAsPng(Path.Combine(images.Folder, "pipeline-disc.png"));
        (CatalogItem, string)[] rows =
        [
            (TestItems.Make(id: "lip", image: "pipeline-disc.png"), "h-lip"),
            (TestItems.Make(id: "pan", title: "Stainless steel saucepan", category: "Kitchen > Cookware", image: "nowhere.png"), "h-pan"),
            (TestItems.Make(id: "plain", title: "Plain cotton tee", price: null), "h-plain"),
        ];
        var problems = new ImageProblemLog();

        List<ItemFeatures> first;
        using (var cache = new FileFeatureCache(_cacheFolder))
            first = await Collect(new ItemFeatureExtractor(text.Encoder, images.Encoder, cache, problems), rows);

        Assert.Equal(384, first[0].Text.Length);
        Assert.Equal(512, first[0].Image!.Length);
        Assert.Null(first[1].Image);
        Assert.Equal(-1, first[2].PriceBucket);
        Assert.Equal("pan", Assert.Single(problems.Problems).ItemId);
        var expected = text.Encoder.Encode(ItemText.Build(rows[0].Item1));
        Assert.True(VectorMath.Cosine(expected, first[0].Text) > 0.9999);

        using var reopened = new FileFeatureCache(_cacheFolder);
        var extractor = new ItemFeatureExtractor(text.Encoder, images.Encoder, reopened, problems);
        var second = await Collect(extractor, rows);

        // The item with the broken image is retried; the others come from the file.
        Assert.Equal(new ExtractionCounts(3, 2, 1, 0, 1), extractor.Counts);
        Assert.Equal(first[0].Text, second[0].Text);
        Assert.Equal(first[0].Image, second[0].Image);
    }

    private static async Task<List<ItemFeatures>> Collect(ItemFeatureExtractor extractor, (CatalogItem, string)[] rows)
    {
        var output = new List<ItemFeatures>();
        await foreach (var (_, f) in extractor.ExtractAsync(rows.ToAsyncEnumerable(), CancellationToken.None)) output.Add(f);
        return output;
    }
}

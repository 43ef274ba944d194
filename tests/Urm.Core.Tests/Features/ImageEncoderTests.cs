using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using Urm.Core.Features.Images;
using Xunit.Abstractions;

namespace Urm.Core.Tests.Features;

public class ImageEncoderTests(ImageEncoderFixture fixture, ITestOutputHelper output) : IClassFixture<ImageEncoderFixture>
{
    private readonly ImageEncoder _encoder = fixture.Encoder;

    private string Save(string name, Action<string> write)
    {
        var path = Path.Combine(fixture.Folder, name);
        write(path);
        return name;
    }

    [Fact]
    public async Task The_same_picture_as_png_and_as_jpeg_gives_nearly_the_same_vector()
    {
        using var disc = TestPictures.RedDisc();
        var png = Save("disc.png", p => disc.SaveAsPng(p));
        var jpeg = Save("disc.jpg", p => disc.SaveAsJpeg(p, new JpegEncoder { Quality = 95 }));

        var results = await _encoder.EncodeAsync([png, jpeg], CancellationToken.None);

        Assert.All(results, r => Assert.Null(r.Problem));
        Assert.Equal(512, results[0].Vector!.Length);
        var cosine = VectorMath.Cosine(results[0].Vector!, results[1].Vector!);
        output.WriteLine($"PNG vs JPEG cosine {cosine:F4}");
        Assert.True(cosine > 0.95, $"cosine {cosine:F4}");
    }

    [Fact]
    public async Task Different_pictures_give_clearly_different_vectors()
    {
        using var disc = TestPictures.RedDisc();
        using var stripes = TestPictures.Stripes();
        var a = Save("a.png", p => disc.SaveAsPng(p));
        var b = Save("b.png", p => stripes.SaveAsPng(p));

        var results = await _encoder.EncodeAsync([a, b], CancellationToken.None);

        var cosine = VectorMath.Cosine(results[0].Vector!, results[1].Vector!);
        output.WriteLine($"disc vs stripes cosine {cosine:F4}");
        Assert.True(cosine < 0.8, $"cosine {cosine:F4}");
    }

    [Fact]
    public async Task Batches_run_at_once_give_the_same_vectors_in_order_as_one_image_at_a_time()
    {
        using var disc = TestPictures.RedDisc();
        using var stripes = TestPictures.Stripes();
        using var small = TestPictures.RedDisc(90, 160);
        string[] names = [Save("b1.png", p => disc.SaveAsPng(p)), Save("b2.png", p => stripes.SaveAsPng(p)), Save("b3.jpg", p => small.SaveAsJpeg(p)),
            Save("b4.png", p => stripes.SaveAsPng(p)), "missing.png", Save("b5.jpg", p => disc.SaveAsJpeg(p)), Save("b6.png", p => small.SaveAsPng(p))];
        // Batches of 2, three of them at once: full ones, one with a bad image in it, and a short last one.
        using var batched = ImageEncoder.Load(new LocalImageSource(fixture.Folder), new ImageEncoderOptions(BatchSize: 2, ConcurrentBatches: 3, Session: new(IntraOpThreads: 1)));
        using var single = ImageEncoder.Load(new LocalImageSource(fixture.Folder), new ImageEncoderOptions(BatchSize: 1, ConcurrentBatches: 1, Session: new(IntraOpThreads: 1)));

        var together = await batched.EncodeAsync(names, CancellationToken.None);
        var apart = await single.EncodeAsync(names, CancellationToken.None);

        Assert.Equal(names.Length, together.Length);
        Assert.Contains("no image file", together[4].Problem!.Reason);
        Assert.Equal("missing.png", together[4].Problem!.Reference);
        Assert.Null(together[4].Vector);
        foreach (var i in new[] { 0, 1, 2, 3, 5, 6 })
        {
            Assert.Null(together[i].Problem);
            for (var d = 0; d < ImageEncoder.ModelDimension; d++)
                Assert.Equal(apart[i].Vector![d], together[i].Vector![d], 1e-5f);
        }
        Assert.True(VectorMath.Cosine(together[0].Vector!, together[1].Vector!) < 0.8);   // each image its own vector, in its place
        Assert.True(VectorMath.Cosine(together[2].Vector!, together[6].Vector!) > 0.95);   // the same small disc as JPEG and PNG
    }

    [Fact]
    public async Task A_batch_of_only_bad_images_is_reported_while_the_other_batches_are_encoded()
    {
        using var disc = TestPictures.RedDisc();
        var good = Save("only-good.png", p => disc.SaveAsPng(p));
        using var encoder = ImageEncoder.Load(new LocalImageSource(fixture.Folder), new ImageEncoderOptions(BatchSize: 2, ConcurrentBatches: 2, Session: new(IntraOpThreads: 1)));

        var results = await encoder.EncodeAsync([good, good, "missing-1.png", "missing-2.png", good], CancellationToken.None);

        Assert.All(new[] { 0, 1, 4 }, i => Assert.NotNull(results[i].Vector));
        Assert.All(new[] { 2, 3 }, i => Assert.Null(results[i].Vector));
        Assert.Equal(["missing-1.png", "missing-2.png"], new[] { results[2].Problem!.Reference, results[3].Problem!.Reference });
    }

    [Fact]
    public void Concurrent_batches_must_be_at_least_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageEncoder.Load(new LocalImageSource(fixture.Folder), new ImageEncoderOptions(ConcurrentBatches: 0)));
    }

    [Fact]
    public async Task Bad_images_are_reported_in_place_and_never_thrown()
    {
        using var disc = TestPictures.RedDisc();
        var good = Save("good.png", p => disc.SaveAsPng(p));
        var garbage = Save("garbage.jpg", p => File.WriteAllBytes(p, Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray()));
        var truncated = Save("truncated.png", p =>
        {
            using var full = new MemoryStream();
            disc.SaveAsPng(full);
            File.WriteAllBytes(p, full.ToArray()[..200]);
        });
        var huge = Save("huge.bin", p => File.WriteAllBytes(p, new byte[3 * 1024 * 1024]));

        var results = await _encoder.EncodeAsync(
            [good, "missing.png", garbage, truncated, huge, "../outside.png", ""], CancellationToken.None);

        Assert.NotNull(results[0].Vector);
        Assert.Contains("no image file", results[1].Problem!.Reason);
        Assert.Contains("not an image", results[2].Problem!.Reason);
        Assert.NotNull(results[3].Problem);
        Assert.Contains("limit", results[4].Problem!.Reason);
        Assert.Contains("outside the image folder", results[5].Problem!.Reason);
        Assert.Contains("empty", results[6].Problem!.Reason);
        Assert.All(results.Skip(1), r => Assert.Null(r.Vector));
        Assert.Equal("missing.png", results[1].Problem!.Reference);
    }

    [Fact]
    public async Task A_cancelled_run_is_cancelled_not_reported()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _encoder.EncodeAsync(["missing.png"], cancelled.Token));
    }
}

using SixLabors.ImageSharp;
using Urm.Core.Features.Images;
using Urm.Core.Features.Onnx;
using Urm.Core.Pretrained;
using Xunit.Abstractions;

namespace Urm.Core.Tests.Features;

public class ImageEncoderInt8Tests(ImageEncoderFixture fixture, ITestOutputHelper output) : IClassFixture<ImageEncoderFixture>
{
    private string Save(string name, Image image)
    {
        image.SaveAsPng(Path.Combine(fixture.Folder, name));
        return name;
    }

    [Fact]
    public async Task Int8_ResNet18_gives_vectors_close_to_fp32_and_the_same_alone_as_in_a_batch()
    {
        using var disc = TestPictures.RedDisc();
        using var stripes = TestPictures.Stripes();
        string[] pictures = [Save("int8-disc.png", disc), Save("int8-stripes.png", stripes)];
        using var int8 = ImageEncoder.Load(new LocalImageSource(fixture.Folder), new ImageEncoderOptions(Session: new(IntraOpThreads: 1), Precision: ImagePrecision.Int8));
        using var int8Singly = ImageEncoder.Load(new LocalImageSource(fixture.Folder), new ImageEncoderOptions(Session: new(IntraOpThreads: 1), BatchSize: 1, Precision: ImagePrecision.Int8));

        var reference = await fixture.Encoder.EncodeAsync(pictures, CancellationToken.None);
        var batched = await int8.EncodeAsync(pictures, CancellationToken.None);
        var alone = await int8Singly.EncodeAsync(pictures, CancellationToken.None);

        Assert.Equal(ImagePrecision.Int8, int8.Precision);
        for (var i = 0; i < pictures.Length; i++)
        {
            var cosine = VectorMath.Cosine(batched[i].Vector!, reference[i].Vector!);
            output.WriteLine($"{pictures[i]}: int8 vs fp32 cosine {cosine:F5}");
            Assert.True(cosine > 0.98, $"{pictures[i]}: cosine {cosine:F5}");   // different pictures: below 0.8
            Assert.True(cosine < 1 - 1e-7, $"{pictures[i]}: the int8 vector is the fp32 one; was the model quantised at all?");
            // Ranges are fixed at calibration, not taken from the batch: an image's vector does not depend on its neighbours.
            Assert.Equal(alone[i].Vector!, batched[i].Vector!, (a, b) => Math.Abs(a - b) <= 1e-4f);
        }
    }

    [Fact]
    public void The_shipped_ranges_cover_every_tensor_of_the_shipped_ResNet18()
    {
        var model = File.ReadAllBytes(PretrainedPaths.ResNet18Model);
        var ranges = ResNetInt8Ranges.Shipped;

        Assert.Equal(ResNetInt8Ranges.Sha256(model), ranges.ModelSha256);
        Assert.Equal(StaticConvQuantization.ActivationNames(model).Order(), ranges.Ranges.Keys.Order());
        Assert.True(ranges.Images >= 100, $"{ranges.Images} calibration images");
        Assert.All(ranges.Ranges.Values, r => Assert.True(r.Min < r.Max));
    }

    [Fact]
    public void Ranges_measured_on_another_graph_are_refused_with_what_to_do()
    {
        var ranges = ResNetInt8Ranges.Shipped with { ModelSha256 = new string('0', 64) };

        var error = Assert.Throws<InvalidDataException>(() => ranges.Quantise(File.ReadAllBytes(PretrainedPaths.ResNet18Model)));

        Assert.Contains("urm calibrate-images", error.Message);
    }

    [Fact]
    public void A_ranges_file_reads_back_as_written()
    {
        var ranges = new ResNetInt8Ranges("ab", 3, "three test pictures", new Dictionary<string, ActivationRange> { ["x"] = new(-1.5f, 2.25f), ["y"] = new(0, 7) });
        using var stream = new MemoryStream();

        ranges.Write(stream);
        stream.Position = 0;
        var read = ResNetInt8Ranges.Read(stream);

        Assert.Equal(("ab", 3, "three test pictures"), (read.ModelSha256, read.Images, read.Source));
        Assert.Equal(ranges.Ranges, read.Ranges);
    }

    [Fact]
    public async Task Calibration_measures_every_tensor_from_readable_images_and_reports_the_rest()
    {
        using var disc = TestPictures.RedDisc();
        using var stripes = TestPictures.Stripes();
        string[] pictures = [Save("calibration-disc.png", disc), Save("calibration-stripes.png", stripes)];
        await File.WriteAllTextAsync(Path.Combine(fixture.Folder, "calibration-broken.png"), "not a picture");

        var (ranges, problems) = await ResNetCalibration.MeasureAsync(new LocalImageSource(fixture.Folder), [.. pictures, "calibration-broken.png"], "tests", CancellationToken.None);

        Assert.Equal(2, ranges.Images);
        Assert.Equal("calibration-broken.png", Assert.Single(problems).Reference);
        Assert.Equal(StaticConvQuantization.ActivationNames(File.ReadAllBytes(PretrainedPaths.ResNet18Model)).Order(), ranges.Ranges.Keys.Order());
        Assert.Equal(0, ranges.Ranges["ReLU253_Output_0"].Min);   // after a Relu
        Assert.True(ranges.Ranges["Input247"].Min < 0 && ranges.Ranges["Input247"].Max > 0);   // pixels minus the mean image
        // Quantising with them works and keeps the two pictures apart.
        using var encoder = ImageEncoder.Load(new LocalImageSource(fixture.Folder), new ImageEncoderOptions(Session: new(IntraOpThreads: 1), Precision: ImagePrecision.Int8, Int8Ranges: ranges));
        var vectors = await encoder.EncodeAsync(pictures, CancellationToken.None);
        Assert.True(VectorMath.Cosine(vectors[0].Vector!, vectors[1].Vector!) < 0.8);
    }
}

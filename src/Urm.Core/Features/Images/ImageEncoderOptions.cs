namespace Urm.Core.Features.Images;

/// <param name="MaxBytes">Encoded images above this are refused, whatever the source.</param>
/// <param name="MaxPixels">Decoded size limit, checked from the header before decoding, against decompression bombs.</param>
/// <param name="MaxConcurrency">Images fetched and decoded at once within one batch.</param>
/// <param name="BatchSize">Images per ResNet run (and decoded images held per batch, 600 KB each). On a 2-core machine
/// batches of 16 ran 35.9 images/s where one at a time ran 21.0, and batches of 32 gained little more (36.9);
/// docs/BENCHMARKS.md, "int8 MiniLM and batched images".</param>
/// <param name="ConcurrentBatches">Batches read, decoded and run at once. Above 1, with the session's threads left at 0,
/// each run gets the cores divided among them, so one batch decodes while another runs. Measured on two cores
/// (docs/BENCHMARKS.md, "Images at the model's pace"): two at once ran the image stage 0.5–3 % faster (38.8
/// against 37.7, 39.9 against 39.7 images/s) but whole rows, with MiniLM beside it, 5–6 % slower (26.6 against 28.2, 25.9 against
/// 27.4), so one batch at a time stays the default.</param>
/// <param name="Precision">fp32 as shipped, or int8 convolutions converted at load. The two give slightly different
/// vectors: cards and cached features made with one are not exactly those of the other.</param>
/// <param name="Int8Ranges">The activation ranges for <see cref="ImagePrecision.Int8"/>; the ones shipped with Urm.Core when null.</param>
public sealed record ImageEncoderOptions(
    long MaxBytes = 20L * 1024 * 1024,
    long MaxPixels = 50_000_000,
    int MaxConcurrency = 2,
    EncoderSessionOptions? Session = null,
    int BatchSize = 16,
    int ConcurrentBatches = 1,
    ImagePrecision Precision = ImagePrecision.Fp32,
    ResNetInt8Ranges? Int8Ranges = null)
{
    public static ImageEncoderOptions Default { get; } = new();

    /// <summary>The spellings settings and command lines use: <c>fp32</c>, <c>int8</c>.</summary>
    public static string PrecisionName(ImagePrecision precision) => PrecisionNames.Name(precision);

    /// <summary>Reads <c>fp32</c> or <c>int8</c> (any case, surrounding space ignored).</summary>
    public static bool TryParsePrecision(string? value, out ImagePrecision precision) => PrecisionNames.TryParse(value, out precision);

    internal EncoderSessionOptions SessionOrDefault => Session ?? EncoderSessionOptions.Default;
}

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
public sealed record ImageEncoderOptions(
    long MaxBytes = 20L * 1024 * 1024,
    long MaxPixels = 50_000_000,
    int MaxConcurrency = 2,
    EncoderSessionOptions? Session = null,
    int BatchSize = 16,
    int ConcurrentBatches = 1)
{
    public static ImageEncoderOptions Default { get; } = new();

    internal EncoderSessionOptions SessionOrDefault => Session ?? EncoderSessionOptions.Default;
}

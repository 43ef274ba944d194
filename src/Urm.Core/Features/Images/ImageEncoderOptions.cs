namespace Urm.Core.Features.Images;

/// <param name="MaxBytes">Encoded images above this are refused, whatever the source.</param>
/// <param name="MaxPixels">Decoded size limit, checked from the header before decoding, against decompression bombs.</param>
/// <param name="MaxConcurrency">Images fetched and decoded at once within one batch.</param>
/// <param name="BatchSize">Images per ResNet run (and decoded images held per batch, 600 KB each). On a 2-core machine
/// batches of 16 ran 35.9 images/s where one at a time ran 21.0, and batches of 32 gained little more (36.9);
/// docs/BENCHMARKS.md, "int8 MiniLM and batched images".</param>
/// <param name="ConcurrentBatches">Batches read, decoded and run at once. With the session's threads left at 0, each
/// run gets the cores divided among them (one core each on two cores), so one batch decodes while another
/// runs instead of the model and the decoder waiting for each other: on two cores 38.8 images/s against 37.7
/// one batch at a time, with ResNet18 alone at 39.3–39.7 in the same run (docs/BENCHMARKS.md, "Images at the
/// model's pace").</param>
public sealed record ImageEncoderOptions(
    long MaxBytes = 20L * 1024 * 1024,
    long MaxPixels = 50_000_000,
    int MaxConcurrency = 2,
    EncoderSessionOptions? Session = null,
    int BatchSize = 16,
    int ConcurrentBatches = 2)
{
    public static ImageEncoderOptions Default { get; } = new();

    internal EncoderSessionOptions SessionOrDefault => Session ?? EncoderSessionOptions.Default;
}

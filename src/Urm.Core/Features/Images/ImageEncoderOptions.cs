namespace Urm.Core.Features.Images;

/// <param name="MaxBytes">Encoded images above this are refused, whatever the source.</param>
/// <param name="MaxPixels">Decoded size limit, checked from the header before decoding, against decompression bombs.</param>
/// <param name="MaxConcurrency">Images fetched, decoded and run at once.</param>
public sealed record ImageEncoderOptions(
    long MaxBytes = 20L * 1024 * 1024,
    long MaxPixels = 50_000_000,
    int MaxConcurrency = 2,
    EncoderSessionOptions? Session = null)
{
    public static ImageEncoderOptions Default { get; } = new();

    internal EncoderSessionOptions SessionOrDefault => Session ?? EncoderSessionOptions.Default;
}

namespace Urm.Core.Features.Images;

/// <param name="Timeout">For the whole download, headers and body.</param>
/// <param name="MaxBytes">Reading stops, and the image is refused, past this many bytes.</param>
public sealed record HttpImageSourceOptions(TimeSpan Timeout, long MaxBytes)
{
    public static HttpImageSourceOptions Default { get; } = new(TimeSpan.FromSeconds(15), 20L * 1024 * 1024);
}

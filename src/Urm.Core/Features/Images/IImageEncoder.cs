namespace Urm.Core.Features.Images;

/// <summary>Turns image references into image vectors; a bad image is an outcome, never an exception.</summary>
public interface IImageEncoder
{
    int Dimension { get; }

    /// <summary>One result per reference, in order.</summary>
    Task<ImageEncoding[]> EncodeAsync(IReadOnlyList<string> references, CancellationToken cancellationToken);
}

namespace Urm.Core.Features.Images;

/// <summary>Where item images are read from, by the catalog's image reference.</summary>
public interface IImageSource
{
    /// <summary>
    /// Opens the image's bytes. Failures that are the reference's fault are thrown as
    /// <see cref="ImageSourceException"/> (or the usual IO exceptions); the encoder turns them into
    /// an <see cref="ImageProblem"/>.
    /// </summary>
    Task<Stream> OpenAsync(string reference, CancellationToken cancellationToken);
}

namespace Urm.Core.Features.Images;

/// <summary>
/// Picks a source by the reference's form: http(s) URLs go to the web source, rooted paths to the
/// local one, and relative paths to the relative-path source (the local one unless another is
/// given, e.g. one that reads the catalog's blob container).
/// </summary>
public sealed class RoutingImageSource(IImageSource web, IImageSource local, IImageSource? relative = null) : IImageSource
{
    private readonly IImageSource _relative = relative ?? local;

    public Task<Stream> OpenAsync(string reference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        return Route(reference).OpenAsync(reference, cancellationToken);
    }

    internal IImageSource Route(string reference)
    {
        if (reference.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || reference.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return web;
        return Path.IsPathRooted(reference) ? local : _relative;
    }
}

using Azure;
using Azure.Storage.Blobs;
using Urm.Core.Features;

namespace Urm.Azure.Blobs;

/// <summary>
/// Item images by relative path from a blob container of the same account (a catalog row's
/// <c>image: "images/sku-1.jpg"</c> -> <c>catalog/images/sku-1.jpg</c>). Read whole into memory, bounded,
/// so the decoder works on bytes rather than on a network stream held open.
/// </summary>
public sealed class BlobImageSource(BlobContainerClient container, long maxBytes = 20 * 1024 * 1024) : IImageSource
{
    public async Task<Stream> OpenAsync(string reference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var name = reference.Replace('\\', '/').TrimStart('/');
        if (Uri.TryCreate(reference, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file")
            throw new ImageSourceException($"'{reference}' is not a relative blob path; blob images are named relative to the {container.Name} container.");
        if (name.Split('/').Any(segment => segment is ".." or "."))
            throw new ImageSourceException($"Image path '{reference}' leaves the {container.Name} container; use a path inside it such as images/<file>.");
        var blob = container.GetBlobClient(name);
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (properties.Value.ContentLength > maxBytes)
                throw new ImageSourceException($"The image {container.Name}/{name} is {properties.Value.ContentLength:N0} bytes, over the {maxBytes:N0}-byte limit.");
            var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return new MemoryStream(content.Value.Content.ToArray(), writable: false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new ImageSourceException($"There is no image blob {container.Name}/{name}; upload it or correct the row's image path.", e);
        }
    }
}

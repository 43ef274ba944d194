using Azure;
using Azure.Storage.Blobs;
using Urm.Core.Features.Images;

namespace Urm.Azure.Blobs;

/// <summary>
/// Item images by relative path from a blob container of the same account, relative to the catalog's
/// own folder in it (catalog <c>shop/catalog.jsonl</c>, row <c>image: "images/sku-1.jpg"</c> ->
/// <c>catalog/shop/images/sku-1.jpg</c>). Read whole into memory, bounded, so the decoder works on bytes
/// rather than on a network stream held open.
/// </summary>
/// <param name="folder">The catalog blob's folder inside the container ("" for its root).</param>
public sealed class BlobImageSource(BlobContainerClient container, string folder = "", long maxBytes = 20 * 1024 * 1024) : IImageSource
{
    /// <summary>The folder of a blob name: <c>shop/catalog.jsonl</c> -> <c>shop</c>.</summary>
    public static string FolderOf(string blobName)
    {
        var slash = blobName.LastIndexOf('/');
        return slash < 0 ? "" : blobName[..slash];
    }

    public async Task<Stream> OpenAsync(string reference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var name = reference.Replace('\\', '/').TrimStart('/');
        if (Uri.TryCreate(reference, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file")
            throw new ImageSourceException($"'{reference}' is not a relative blob path; blob images are named relative to the {container.Name} container.");
        if (name.Split('/').Any(segment => segment is ".." or "."))
            throw new ImageSourceException($"Image path '{reference}' leaves the {container.Name} container; use a path inside it such as images/<file>.");
        var root = folder.Trim('/');
        if (root.Length > 0) name = root + "/" + name;
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

using Azure;
using Azure.Storage.Blobs;
using Urm.Core.Catalog;

namespace Urm.Azure.Blobs;

/// <summary>Catalog snapshots as blobs, streamed (never downloaded whole) into <c>CatalogEncoder.EncodeAsync</c>.</summary>
public sealed class BlobCatalogSource(BlobServiceClient blobs)
{
    /// <summary>
    /// The opener <c>CatalogEncoder.EncodeAsync</c> takes (it opens the snapshot twice), and the blob's format by extension.
    /// </summary>
    /// <exception cref="ArgumentException">The blob name's extension is not a catalog format.</exception>
    public (Func<CancellationToken, Task<Stream>> Open, CatalogFormat Format) Open(string container, string blobName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(container);
        ArgumentException.ThrowIfNullOrWhiteSpace(blobName);
        var format = CatalogFormats.FromPath(blobName);
        var blob = blobs.GetBlobContainerClient(container).GetBlobClient(blobName);
        return (async ct =>
        {
            try
            {
                return await blob.OpenReadAsync(cancellationToken: ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                throw new FileNotFoundException($"There is no catalog blob {container}/{blobName}; upload the snapshot there (JSON Lines or CSV).", $"{container}/{blobName}", e);
            }
        }, format);
    }
}

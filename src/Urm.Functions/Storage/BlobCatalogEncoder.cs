using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Urm.Azure.Blobs;
using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Models;

namespace Urm.Functions.Storage;

/// <summary>
/// A catalog blob -> cards: the blob is streamed (twice, see <see cref="CatalogReader"/>) through
/// <see cref="CatalogEncoder"/>, images by path relative to the catalog's folder in the same container
/// (or by http(s) URL), and the run's report is written to <c>catalog-reports/&lt;name&gt;.json</c>.
/// </summary>
public sealed class BlobCatalogEncoder(
    BlobServiceClient blobs, ICardStore store, ModelHost models, ITextEncoder text, IFeatureCache cache, EncoderSessionOptions session,
    HttpClient http, ILogger<BlobCatalogEncoder> logger)
{
    // One run at a time per instance: two snapshots encoded together would retire each other's items.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <param name="blob">The uploaded catalog (the trigger's client).</param>
    /// <param name="name">Its name inside its container, which names the report.</param>
    public async Task<CatalogEncodingReport> EncodeAsync(BlobClient blob, string name, CancellationToken cancellationToken)
    {
        var format = CatalogFormats.FromPath(name);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var lease = models.Acquire();
            using var images = lease.Package.Manifest.Modalities.Contains("image")
                ? ImageEncoder.Load(ImagesBeside(blob, name), new ImageEncoderOptions(Session: session))
                : null;
            var encoder = new CatalogEncoder(store, models, text, images, cache);
            var report = await encoder.EncodeAsync(ct => blob.OpenReadAsync(cancellationToken: ct), format, cancellationToken).ConfigureAwait(false);
            (cache as FileFeatureCache)?.Flush();
            var reportName = await new BlobCatalogReports(blobs).WriteAsync(name, report, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Encoded {Blob}: {Fused} fused, {Skipped} unchanged, {Retired} retired, {Rejected} rejected rows; catalog version {Version}; report {Report}",
                name, report.Fused, report.SkippedUnchanged, report.Retired, report.Rejected, report.CatalogVersion, reportName);
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    private IImageSource ImagesBeside(BlobClient catalog, string name)
    {
        // Paths (relative, or from the container's root) are blobs of the catalog's container; never the instance's disk.
        var container = blobs.GetBlobContainerClient(catalog.BlobContainerName);
        var beside = new BlobImageSource(container, BlobImageSource.FolderOf(name));
        return new RoutingImageSource(new HttpImageSource(http), local: beside, relative: beside);
    }
}

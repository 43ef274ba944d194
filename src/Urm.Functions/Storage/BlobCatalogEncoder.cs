using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Urm.Azure.Blobs;
using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Models;

namespace Urm.Functions.Storage;

/// <summary>
/// A catalog blob -> cards: the blob is streamed (twice, see <see cref="CatalogReader"/>, both times
/// pinned to the ETag the run started with) through <see cref="CatalogEncoder"/>, images by path
/// relative to the catalog's folder in the same container (or by http(s) URL), and the run's report is
/// written to <c>catalog-reports/&lt;name&gt;.json</c>.
/// </summary>
/// <remarks>
/// Only transient failures throw (and so are retried by the trigger). A blob that is no catalog by its
/// extension is ignored; a catalog with no valid row gets a failure report and is not retried (the
/// same bytes would fail again); a catalog replaced while it is read is left to the newer upload's run,
/// which writes the report, so the older snapshot never retires items of the newer one.
/// </remarks>
public sealed class BlobCatalogEncoder(
    BlobServiceClient blobs, ICardStore store, ModelHost models, ITextEncoder text, IFeatureCache cache, EncoderSessionOptions session,
    HttpClient http, ILogger<BlobCatalogEncoder> logger, TimeProvider? time = null)
{
    /// <summary>Blob metadata that marks an upload as meant to drop more than the retire limit of the live catalog.</summary>
    public const string AllowMassRetireMetadata = "urm_allow_mass_retire";

    // One run at a time per instance: two snapshots encoded together would retire each other's items.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <param name="blob">The uploaded catalog (the trigger's client).</param>
    /// <param name="name">Its name inside its container, which names the report.</param>
    /// <returns>The run's report; null when nothing was encoded (not a catalog, no valid row, replaced while read).</returns>
    public async Task<CatalogEncodingReport?> EncodeAsync(BlobClient blob, string name, CancellationToken cancellationToken)
    {
        if (!CatalogFormats.TryFromPath(name, out var format))
        {
            logger.LogInformation("Ignored {Blob}: not a catalog by its extension ({Supported})", name, CatalogFormats.SupportedExtensions);
            return null;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            BlobProperties properties;
            try
            {
                properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                logger.LogInformation("Ignored {Blob}: deleted before its run started", name);
                return null;
            }
            var massRetire = properties.Metadata.TryGetValue(AllowMassRetireMetadata, out var flag) && bool.TryParse(flag, out var allowed) && allowed;
            using var lease = models.Acquire();
            using var images = lease.Package.Manifest.Modalities.Contains("image")
                ? ImageEncoder.Load(ImagesBeside(blob, name), new ImageEncoderOptions(Session: session))
                : null;
            var encoder = new CatalogEncoder(store, models, text, images, cache);
            CatalogEncodingReport report;
            try
            {
                report = await encoder.EncodeAsync(OpenPinned(blob, properties.ETag), format, massRetire, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidCatalogException e)
            {
                var failure = await new BlobCatalogReports(blobs).WriteFailureAsync(name, e.Message, (time ?? TimeProvider.System).GetUtcNow(), cancellationToken).ConfigureAwait(false);
                logger.LogWarning("Did not encode {Blob}: {Reason}; report {Report} (not retried: the same upload would fail again)", name, e.Message, failure);
                return null;
            }
            catch (RequestFailedException e) when (e.Status == 412 || e.Status == 404)
            {
                // Replaced (or deleted) between the two passes: what was fused stays valid for its content
                // hash, nothing was retired, and the newer upload's own run finishes the job.
                logger.LogInformation("Stopped encoding {Blob}: it was replaced while being read; the newer upload's run encodes it", name);
                return null;
            }
            await cache.FlushAsync(cancellationToken).ConfigureAwait(false);
            var reportName = await new BlobCatalogReports(blobs).WriteAsync(name, report, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Encoded {Blob}: {Fused} fused, {Skipped} unchanged, {Retired} retired, {Rejected} rejected rows; catalog version {Version}; report {Report}",
                name, report.Fused, report.SkippedUnchanged, report.Retired, report.Rejected, report.CatalogVersion, reportName);
            if (report.Warning is not null) logger.LogWarning("Encoding {Blob}: {Warning}", name, report.Warning);
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Opens the blob as it was at <paramref name="etag"/>: a read after a newer upload fails with 412.</summary>
    internal static Func<CancellationToken, Task<Stream>> OpenPinned(BlobClient blob, ETag etag)
        => ct => blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = new BlobRequestConditions { IfMatch = etag } }, ct);

    private IImageSource ImagesBeside(BlobClient catalog, string name)
    {
        // Paths (relative, or from the container's root) are blobs of the catalog's container; never the instance's disk.
        var container = blobs.GetBlobContainerClient(catalog.BlobContainerName);
        var beside = new BlobImageSource(container, BlobImageSource.FolderOf(name));
        return new RoutingImageSource(new HttpImageSource(http), local: beside, relative: beside);
    }
}

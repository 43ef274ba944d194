using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Urm.Core.Cards;
using Urm.Core.Catalog;

namespace Urm.Functions.Storage;

/// <summary>
/// A catalog blob -> cards: the blob is streamed (twice, see <see cref="CatalogReader"/>) through
/// <see cref="CatalogEncoder"/>, and the run's report is written to <c>catalog-reports/&lt;name&gt;.json</c>.
/// </summary>
public sealed class BlobCatalogEncoder(BlobServiceClient blobs, CatalogEncoder encoder, ILogger<BlobCatalogEncoder> logger)
{
    public const string ReportsContainer = "catalog-reports";

    // One run at a time per instance: two snapshots encoded together would retire each other's items.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public static string ReportName(string blobName) => Path.ChangeExtension(blobName, null) + ".json";

    /// <param name="blob">The uploaded catalog (the trigger's client).</param>
    /// <param name="name">Its name under <c>catalog/</c>, which names the report.</param>
    public async Task<CatalogEncodingReport> EncodeAsync(BlobClient blob, string name, CancellationToken cancellationToken)
    {
        var format = CatalogFormats.FromPath(name);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var report = await encoder.EncodeAsync(ct => blob.OpenReadAsync(cancellationToken: ct), format, cancellationToken).ConfigureAwait(false);
            using var json = new MemoryStream();
            await report.WriteAsync(json, cancellationToken).ConfigureAwait(false);
            json.Position = 0;
            var reports = blobs.GetBlobContainerClient(ReportsContainer);
            await reports.GetBlobClient(ReportName(name)).UploadAsync(json, overwrite: true, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Encoded {Blob}: {Fused} fused, {Skipped} unchanged, {Retired} retired, {Rejected} rejected rows; catalog version {Version}",
                name, report.Fused, report.SkippedUnchanged, report.Retired, report.Rejected, report.CatalogVersion);
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }
}

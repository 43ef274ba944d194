using System.Text.Json;
using Azure.Storage.Blobs;
using Urm.Core.Cards;

namespace Urm.Azure.Blobs;

/// <summary>Encoding reports as blobs: the run of <c>catalog/x.jsonl</c> is reported in <c>catalog-reports/x.json</c>.</summary>
public sealed class BlobCatalogReports(BlobServiceClient blobs, string container = BlobCatalogReports.DefaultContainer)
{
    public const string DefaultContainer = "catalog-reports";

    /// <summary>The report's blob name for a catalog blob name (same folders, extension .json).</summary>
    public static string ReportName(string catalogBlobName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(catalogBlobName);
        return Path.ChangeExtension(catalogBlobName, null) + ".json";
    }

    /// <returns>The report's blob name.</returns>
    public async Task<string> WriteAsync(string catalogBlobName, CatalogEncodingReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var json = new MemoryStream();
        await report.WriteAsync(json, cancellationToken).ConfigureAwait(false);
        return await UploadAsync(catalogBlobName, json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The report of a run that could not encode the catalog at all and will not be retried:
    /// <c>{"catalog", "error", "failedAt"}</c>, the error saying what to fix.</summary>
    /// <returns>The report's blob name.</returns>
    public async Task<string> WriteFailureAsync(string catalogBlobName, string error, DateTimeOffset failedAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(error);
        using var json = new MemoryStream();
        await JsonSerializer.SerializeAsync(json, new { catalog = catalogBlobName, error, failedAt }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await UploadAsync(catalogBlobName, json, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> UploadAsync(string catalogBlobName, MemoryStream json, CancellationToken cancellationToken)
    {
        var name = ReportName(catalogBlobName);
        json.Position = 0;
        await blobs.GetBlobContainerClient(container).GetBlobClient(name).UploadAsync(json, overwrite: true, cancellationToken).ConfigureAwait(false);
        return name;
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;
using Urm.Core.Catalog;
using Urm.Core.Features;

namespace Urm.Core.Cards;

/// <summary>What one encoding run did, written as JSON next to the catalog it came from.</summary>
/// <param name="SkippedUnchanged">Items whose content hash and model version were already in the store: not even feature-extracted.</param>
/// <param name="Fused">Items fused and written to the store.</param>
/// <param name="Retired">Stored items absent from the snapshot, now retired.</param>
/// <param name="MissingFeatures">Re-fuse only: cards whose raw features were not in the cache, left as they were.</param>
public sealed record CatalogEncodingReport(
    long RowsRead,
    long Accepted,
    long Rejected,
    IReadOnlyList<RowError> RowErrors,
    int SkippedUnchanged,
    int Fused,
    int Retired,
    int MissingFeatures,
    IReadOnlyList<ItemImageProblem> ImageProblems,
    ExtractionCounts Extraction,
    string ModelVersion,
    long CatalogVersion,
    double Seconds)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task WriteAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await JsonSerializer.SerializeAsync(destination, this, Json, cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = File.Create(path);
        await using (file.ConfigureAwait(false))
            await WriteAsync(file, cancellationToken).ConfigureAwait(false);
    }
}

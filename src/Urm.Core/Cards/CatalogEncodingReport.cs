using System.Text.Encodings.Web;
using System.Text.Json;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Images;

namespace Urm.Core.Cards;

/// <summary>What one encoding run did, written as JSON next to the catalog it came from.</summary>
/// <param name="SkippedUnchanged">Items whose content hash and model version were already in the store: not even feature-extracted.</param>
/// <param name="Fused">Items fused and written to the store.</param>
/// <param name="Retired">Stored items absent from the snapshot, now retired.</param>
public sealed record CatalogEncodingReport(
    long RowsRead,
    long Accepted,
    long Rejected,
    IReadOnlyList<RowError> RowErrors,
    int SkippedUnchanged,
    int Fused,
    int Retired,
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

    /// <summary>Stored items absent from the snapshot but not retired: more than the retire limit
    /// (<see cref="Runs.ChunkedRunOptions.MaxRetireShare"/>) of the live catalog, and the run was not told
    /// the drop is meant. 0 when nothing was held back.</summary>
    public int RetireWithheld { get; init; }

    /// <summary>Chunks the run was cut into (a chunked run, <see cref="Runs.ChunkedCatalogRun"/>); 0 for a run in one piece.</summary>
    public int Chunks { get; init; }

    /// <summary>What the run left undone and how to finish it; null when nothing.</summary>
    public string? Warning { get; init; }

    public async Task WriteAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await JsonSerializer.SerializeAsync(destination, this, Json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the report beside <paramref name="path"/> and then moves it there, so whoever watches for the
    /// report (urm demo, a shop's script) never holds the file open while it is written, nor reads half of it.
    /// </summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var partial = path + ".partial";
        var file = File.Create(partial);
        await using (file.ConfigureAwait(false))
            await WriteAsync(file, cancellationToken).ConfigureAwait(false);
        File.Move(partial, path, overwrite: true);
    }
}

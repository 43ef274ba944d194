using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Images;

namespace Urm.Core.Runs;

/// <summary>What a chunked run is asked to do: one catalog snapshot into one card set with one model.</summary>
/// <param name="CatalogName">The catalog blob's (or file's) name, which names the report.</param>
/// <param name="CatalogETag">The snapshot's version (a blob ETag); recorded, so a later build reads the same upload.</param>
/// <param name="AllowMassRetire">The snapshot is meant to drop more than the retire limit.</param>
/// <param name="Activates">Finishing the run makes <paramref name="ModelVersion"/> the served model (a new model's set).</param>
public sealed record RunRequest(string CatalogName, string CatalogETag, string ModelVersion, string CardSet, bool AllowMassRetire, bool Activates);

/// <summary>A planned run (<c>plan.json</c>): the request, how the snapshot read, and how many chunks of changed items it holds.</summary>
public sealed record CatalogRunPlan(
    string RunId,
    RunRequest Request,
    int Chunks,
    int ChunkSize,
    long RowsRead,
    long Accepted,
    long Rejected,
    IReadOnlyList<RowError> RowErrors,
    int SkippedUnchanged,
    int Changed,
    DateTimeOffset CreatedAt);

/// <summary>One chunk's result (<c>done-NNNNN.json</c>), written once.</summary>
public sealed record ChunkReport(int Chunk, int Items, int Fused, IReadOnlyList<ItemImageProblem> ImageProblems, ExtractionCounts Extraction, string ModelVersion, double Seconds);

/// <summary>After a chunk: whether it was done before (a redelivered message), and whether every chunk of the run is done now.</summary>
public sealed record ChunkOutcome(bool AlreadyDone, bool AllDone)
{
    /// <summary>A newer run replaced this one while the chunk was being encoded: it stopped before its next write.</summary>
    public bool Replaced { get; init; }
}

/// <summary>Thrown by <see cref="Cards.CatalogEncoder.EncodeChangedAsync"/> when its run was replaced before a write.</summary>
public sealed class RunReplacedException() : Exception("A newer run replaced this one; its chunk stopped before writing.");

/// <param name="ChunkSize">Changed items per chunk: a few thousand keep one chunk to minutes of encoding on one instance.</param>
/// <param name="MaxDetailedErrors">Rejected rows reported in detail (counts stay exact).</param>
/// <param name="MaxRetireShare">The largest share of the live catalog one snapshot may retire; a snapshot
/// that lacks more is most likely a broken export (one good row would otherwise retire the whole shop),
/// so it retires nothing unless the run is told the drop is meant. 1 = no limit.</param>
public sealed record ChunkedRunOptions(int ChunkSize = 2_000, int MaxDetailedErrors = 1_000, double MaxRetireShare = 0.5)
{
    public static ChunkedRunOptions Default { get; } = new();
}

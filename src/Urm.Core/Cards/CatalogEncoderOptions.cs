namespace Urm.Core.Cards;

/// <param name="UpsertBatchSize">Cards per store write: each write is one transaction and one version bump.</param>
/// <param name="MaxDetailedErrors">Rejected rows reported in detail (counts stay exact).</param>
/// <param name="MaxRetireShare">The largest share of the live catalog one snapshot may retire; a snapshot
/// that lacks more is most likely a broken export (one good row would otherwise retire the whole shop),
/// so it retires nothing unless the run is told the drop is meant. 1 = no limit.</param>
public sealed record CatalogEncoderOptions(int UpsertBatchSize = 256, int MaxDetailedErrors = 1_000, double MaxRetireShare = 0.5)
{
    public static CatalogEncoderOptions Default { get; } = new();
}

namespace Urm.Core.Cards;

/// <param name="UpsertBatchSize">Cards per store write: each write is one transaction and one version bump.</param>
/// <param name="MaxDetailedErrors">Rejected rows reported in detail (counts stay exact).</param>
public sealed record CatalogEncoderOptions(int UpsertBatchSize = 256, int MaxDetailedErrors = 1_000)
{
    public static CatalogEncoderOptions Default { get; } = new();
}

namespace Urm.Core.Cards;

/// <param name="UpsertBatchSize">Cards per store write: each write is one transaction and one version bump.</param>
public sealed record CatalogEncoderOptions(int UpsertBatchSize = 256)
{
    public static CatalogEncoderOptions Default { get; } = new();
}

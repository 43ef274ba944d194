namespace Urm.Core.Cards;

/// <summary>Hands out the current card snapshot; refreshes it from the store only when the catalog version changed.</summary>
public interface ICardSnapshotSource
{
    ValueTask<CardSnapshot> GetAsync(CancellationToken cancellationToken);
}

using Urm.Core.Cards;

namespace Urm.Core.Tests.Serving;

/// <summary>A card source that always hands out the same snapshot (the card index lives elsewhere).</summary>
internal sealed class FixedSnapshotSource(CardSnapshot snapshot) : ICardSnapshotSource
{
    public ValueTask<CardSnapshot> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(snapshot);
}

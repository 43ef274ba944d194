using Urm.Core.Cards;

namespace Urm.Core.Tests.Cards;

/// <summary>
/// One card read back the way serving reads cards: through <see cref="ICardStore.ReadChangedAsync"/>
/// from version 0 (every stored card, retired ones included). Stores have no read by id.
/// </summary>
internal static class CardStoreReads
{
    public static async Task<CardDocument?> ReadCardAsync(this ICardStore store, string id, CancellationToken cancellationToken)
    {
        await foreach (var card in store.ReadChangedAsync(0, cancellationToken).ConfigureAwait(false))
            if (card.Id == id) return card;
        return null;
    }
}

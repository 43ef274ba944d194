namespace Urm.Core.Cards;

/// <summary>
/// The card sets of one store: one per model version, each an independent <see cref="ICardStore"/>, so a
/// new model's cards can be built beside the old model's while the old ones keep serving.
/// </summary>
public interface ICardSets
{
    /// <summary>
    /// The store of <paramref name="cardSet"/> (<see cref="CardSetNames.Default"/>: the store's original
    /// cards), created empty when it has never been written.
    /// </summary>
    /// <exception cref="ArgumentException">The name is refused by <see cref="CardSetNames.Check"/>.</exception>
    Task<ICardStore> OpenAsync(string cardSet, CancellationToken cancellationToken);
}

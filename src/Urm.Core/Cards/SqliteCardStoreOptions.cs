namespace Urm.Core.Cards;

/// <param name="Path">The database file; created with its tables when missing.</param>
/// <param name="BusyTimeout">
/// How long a write waits for another writer's transaction (e.g. the encoder while the server reads, or
/// two encoders) before it fails; SQLite allows one writer at a time.
/// </param>
/// <param name="CardSet">
/// The card set (<see cref="ICardSets"/>) in the file: "" is the tables <c>cards</c> and <c>catalog</c>,
/// any other name its own pair of tables beside them (see <see cref="SqliteCardStore"/>).
/// </param>
public sealed record SqliteCardStoreOptions(string Path, TimeSpan? BusyTimeout = null, string CardSet = "")
{
    public TimeSpan EffectiveBusyTimeout => BusyTimeout ?? TimeSpan.FromSeconds(30);
}

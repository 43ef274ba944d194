namespace Urm.Core.Cards;

/// <param name="CheckInterval">
/// At most one catalog-version read per interval: the read is cheap, but on every request it would
/// still be a store round trip per request. Zero checks on every call.
/// </param>
public sealed record CardIndexOptions(TimeSpan? CheckInterval = null)
{
    public static CardIndexOptions Default { get; } = new();

    public TimeSpan EffectiveCheckInterval => CheckInterval ?? TimeSpan.FromSeconds(1);
}

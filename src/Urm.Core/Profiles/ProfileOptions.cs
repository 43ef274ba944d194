namespace Urm.Core.Profiles;

/// <summary>
/// Settings <c>Profiles__*</c> (docs/SETTINGS.md): how much of each shopper's history is kept.
/// </summary>
public sealed record ProfileOptions
{
    public const string Section = "Profiles";

    public static ProfileOptions Default { get; } = new();

    /// <summary>Events kept per profile: the most recent ones (by timestamp); older ones are dropped as new ones come.</summary>
    public int MaxEvents { get; init; } = 200;

    /// <summary>When set, an event is dropped this long after it was received (a store's own expiry in Cosmos DB).</summary>
    public TimeSpan? EventTtl { get; init; }

    /// <summary>Every problem, each naming its setting; empty when the options can be used.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxEvents is < 1 or > 10_000)
            yield return $"Profiles__MaxEvents is {MaxEvents}; it must be 1 to 10000 (default 200).";
        if (EventTtl is { } ttl && (ttl < TimeSpan.FromMinutes(1) || ttl > TimeSpan.FromDays(3650)))
            yield return $"Profiles__EventTtl is {ttl}; leave it unset (keep events) or set 00:01:00 to 3650.00:00:00.";
    }
}

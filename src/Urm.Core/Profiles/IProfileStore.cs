namespace Urm.Core.Profiles;

/// <summary>
/// Shoppers' recent events (DESIGN.md, "Data flow"): one profile per user or session, capped at
/// <see cref="ProfileOptions.MaxEvents"/>, an event unique by its <see cref="ProfileEvent.EventKey"/>
/// within its profile. A SQLite table beside the card store for `urm serve`, a Cosmos DB container
/// partitioned by profile in Azure; both pass the same contract tests.
/// </summary>
public interface IProfileStore
{
    /// <summary>
    /// Adds <paramref name="events"/> to the profile, then drops what is beyond the cap. The answer has one
    /// flag per event: true when stored, false when the profile already held its key (a duplicate).
    /// </summary>
    Task<IReadOnlyList<bool>> AppendAsync(ProfileKey key, IReadOnlyList<ProfileEvent> events, CancellationToken cancellationToken);

    /// <summary>Takes events back out (by key) that <see cref="AppendAsync"/> stored, when what followed them failed.</summary>
    Task RemoveAsync(ProfileKey key, IReadOnlyList<string> eventKeys, CancellationToken cancellationToken);

    /// <summary>The profile, newest event last; null when it holds no (unexpired) event.</summary>
    Task<Profile?> GetAsync(ProfileKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Moves every event of <paramref name="from"/> into <paramref name="into"/> (an event whose key
    /// <paramref name="into"/> already holds is dropped), caps <paramref name="into"/> and empties
    /// <paramref name="from"/>. Safe to repeat after a failure. Answers how many events moved.
    /// </summary>
    Task<int> MergeAsync(ProfileKey from, ProfileKey into, CancellationToken cancellationToken);

    /// <summary>Erases the profile and all its events; answers how many events were removed.</summary>
    Task<int> DeleteAsync(ProfileKey key, CancellationToken cancellationToken);
}

using Urm.Core.Serving;

namespace Urm.Core.Profiles;

/// <summary>
/// Recommend by user id: the stored events of the request's <c>userId</c> and then of its <c>sessionId</c>
/// (not merged yet, so the newer) go before the history it sends. An unknown shopper adds nothing.
/// </summary>
public static class ProfileHistory
{
    public static async Task<ValidRecommendRequest> WithStoredAsync(IProfileStore store, ValidRecommendRequest valid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(valid);
        var stored = new List<HistoryEvent>();
        foreach (var key in Keys(valid.Request))
            if (await store.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } profile)
                stored.AddRange(profile.Events.Select(e => new HistoryEvent(e.ItemId, e.Type.ToString().ToLowerInvariant(), e.Timestamp)));
        return valid.WithStoredHistory(stored);
    }

    private static IEnumerable<ProfileKey> Keys(RecommendRequest request)
    {
        if (!string.IsNullOrWhiteSpace(request.UserId)) yield return ProfileKey.User(request.UserId.Trim());
        if (!string.IsNullOrWhiteSpace(request.SessionId)) yield return ProfileKey.Session(request.SessionId.Trim());
    }
}

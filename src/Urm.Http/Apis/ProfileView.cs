using Urm.Core.Profiles;

namespace Urm.Http.Apis;

/// <summary>GET /api/users/{id}: the stored events, newest last.</summary>
public sealed record ProfileView(string UserId, IReadOnlyList<ProfileEventView> Events)
{
    public static ProfileView From(Profile profile) => new(profile.Key.Id, profile.Events.Select(ProfileEventView.From).ToList());
}

/// <summary>One stored event as the API shows it (the names of POST /api/events).</summary>
public sealed record ProfileEventView(string? EventId, string ItemId, string Event, DateTimeOffset Timestamp, string? SessionId, string? RecommendationId)
{
    public static ProfileEventView From(ProfileEvent e)
        => new(e.EventId, e.ItemId, e.Type.ToString().ToLowerInvariant(), e.Timestamp, e.SessionId, e.RecommendationId);
}

/// <summary>
/// DELETE /api/users/{id}: what was erased, from the profile and from the event archive (training files), and
/// how many recommendation records no longer name the user or their sessions.
/// </summary>
public sealed record ErasureView(string UserId, int ErasedEvents, int ErasedArchiveLines, int AnonymisedRecommendations);

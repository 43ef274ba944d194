namespace Urm.Core.Profiles;

/// <summary>
/// One event of a POST /api/events batch as sent (DESIGN.md, "Data flow"): every field may be missing or
/// wrong until <see cref="EventValidator"/> has looked at it. <c>userId</c> and <c>sessionId</c> together
/// mean the shopper signed in: the session's stored events move into the user's profile.
/// </summary>
public sealed record IncomingEvent(
    string? EventId,
    string? UserId,
    string? SessionId,
    string? ItemId,
    string? Event,
    DateTimeOffset? Timestamp,
    string? RecommendationId);

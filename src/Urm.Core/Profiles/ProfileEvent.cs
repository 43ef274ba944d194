using Urm.Core.Events;

namespace Urm.Core.Profiles;

/// <summary>
/// An accepted event as a profile keeps it. <paramref name="EventKey"/> is what makes it unique within
/// its profile: the client's eventId, or a generated one when it sent none (such events are never
/// duplicates). <paramref name="Received"/> (UTC ticks, then batch order) orders events of the same timestamp.
/// </summary>
public sealed record ProfileEvent(
    string EventKey,
    string? EventId,
    string ItemId,
    EventType Type,
    DateTimeOffset Timestamp,
    string? SessionId,
    string? RecommendationId,
    long Received);

namespace Urm.Core.Events;

/// <summary>
/// An accepted event as the training files keep it (docs/FORMATS.md, "Event archive"): the contract's four
/// columns, <c>user_id</c> being the user or, for an anonymous shopper, the session, plus what ties it to
/// its source (event id, session, recommendation).
/// </summary>
public sealed record ArchivedEvent(
    string UserId,
    string ItemId,
    EventType Type,
    DateTimeOffset Timestamp,
    string? EventId,
    string? SessionId,
    string? RecommendationId);

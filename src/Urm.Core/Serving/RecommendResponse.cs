namespace Urm.Core.Serving;

/// <summary>The answer of POST /api/recommend.</summary>
/// <param name="StoredEvents">Events read from the shopper's stored profile (userId, sessionId), placed before the sent ones.</param>
/// <param name="SentEvents">Events of the request's own history.</param>
/// <param name="RecommendationId">This answer's id, for events to name (POST /api/events' recommendationId) so they count towards its KPIs.</param>
/// <param name="Arm">The experiment arm whose model answered (A, B, …); null outside an experiment.</param>
public sealed record RecommendResponse(
    IReadOnlyList<RecommendedItem> Items,
    IReadOnlyList<string> UnknownItems,
    string ModelVersion,
    double ElapsedMs,
    int StoredEvents = 0,
    int SentEvents = 0,
    string? RecommendationId = null,
    string? Arm = null);

/// <summary>A recommended item, with why: the interest slot that scored it and the nearest history item.</summary>
public sealed record RecommendedItem(string ItemId, double Score, string Title, int Interest, string? Because);

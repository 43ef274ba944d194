namespace Urm.Core.Serving;

/// <summary>
/// The body of POST /api/recommend (DESIGN.md, "HTTP API"); only history or a task input is needed.
/// With <paramref name="UserId"/> (or <paramref name="SessionId"/>) the stored profile's events come
/// first and <paramref name="History"/> after them: the current session wins.
/// </summary>
public sealed record RecommendRequest(
    string? UserId,
    IReadOnlyList<HistoryEvent>? History,
    string? Task,
    string? Prompt,
    string? Query,
    string? AnchorItemId,
    string? Category,
    int? K,
    BusinessRules? Rules,
    string? SessionId = null);

/// <summary>One history entry; a plain item id in the JSON is a view with no timestamp.</summary>
public sealed record HistoryEvent(string ItemId, string? Event, DateTimeOffset? Timestamp);

/// <summary>Rules applied after retrieval, with over-fetch so k items still come back.</summary>
public sealed record BusinessRules(
    bool? AvailableOnly,
    bool? ExcludeSeen,
    IReadOnlyList<string>? ExcludeIds,
    IReadOnlyList<string>? Categories,
    IReadOnlyList<string>? ExcludeCategories,
    double? PriceMin,
    double? PriceMax);

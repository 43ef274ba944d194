namespace Urm.Core.Serving;

/// <summary>The answer of POST /api/recommend.</summary>
public sealed record RecommendResponse(
    IReadOnlyList<RecommendedItem> Items,
    IReadOnlyList<string> UnknownItems,
    string ModelVersion,
    double ElapsedMs);

/// <summary>A recommended item, with why: the interest slot that scored it and the nearest history item.</summary>
public sealed record RecommendedItem(string ItemId, double Score, string Title, int Interest, string? Because);

namespace Urm.Core.Serving;

/// <summary>Settings of <see cref="RecommendationService"/>.</summary>
public sealed record RecommendationOptions
{
    public static RecommendationOptions Default { get; } = new();

    public ServingLimits Limits { get; init; } = ServingLimits.Default;

    /// <summary>
    /// When category or price rules apply, the scan asks for k × this: most requests then need nothing
    /// more, and a scan costs the same whatever it keeps. When the rules leave fewer than k of them, the
    /// eligible rows are scored instead.
    /// </summary>
    public int OverFetchFactor { get; init; } = 4;

    /// <summary>
    /// Threads one request's scan is split across (<see cref="Retrieval.SetRetriever.TopK"/>); 1, the
    /// default, keeps each request on its own thread, which serves concurrent requests best. Above 1 only
    /// large catalogs are split (a part gets at least 131,072 cards).
    /// </summary>
    public int ScanThreads { get; init; } = 1;
}

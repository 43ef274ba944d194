namespace Urm.Core.Serving;

/// <summary>Settings of <see cref="RecommendationService"/>.</summary>
public sealed record RecommendationOptions
{
    public static RecommendationOptions Default { get; } = new();

    public ServingLimits Limits { get; init; } = ServingLimits.Default;

    /// <summary>
    /// When category or price rules apply, the first scan asks for k × this: most requests then need
    /// one scan, and a scan costs the same whatever it keeps.
    /// </summary>
    public int OverFetchFactor { get; init; } = 4;

    /// <summary>Each further scan keeps this many times more, up to the whole catalog, so a rare filter costs a few scans, not k.</summary>
    public int OverFetchGrowth { get; init; } = 4;

    /// <summary>
    /// Threads one request's scan is split across (<see cref="Retrieval.SetRetriever.TopK"/>); 1, the
    /// default, keeps each request on its own thread, which serves concurrent requests best. Above 1 only
    /// large catalogs are split (a part gets at least 131,072 cards).
    /// </summary>
    public int ScanThreads { get; init; } = 1;
}

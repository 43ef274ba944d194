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
}

namespace Urm.Core.Serving;

/// <summary>
/// Bounds on a recommend request. They keep one request's cost (history tokens, scan over-fetch, rule
/// sets, prompt text to embed) predictable, so one caller cannot starve an instance.
/// </summary>
public sealed record ServingLimits
{
    public static ServingLimits Default { get; } = new();

    /// <summary>History events per request; the model reads only the most recent sizes.L of them.</summary>
    public int MaxHistory { get; init; } = 500;

    /// <summary>k when the request leaves it out.</summary>
    public int DefaultK { get; init; } = 10;

    public int MaxK { get; init; } = 200;

    /// <summary>Item and user ids, as in the catalog (docs/FORMATS.md).</summary>
    public int MaxIdLength { get; init; } = 256;

    /// <summary>Free-text prompt and search query: each is embedded by the text encoder.</summary>
    public int MaxTextLength { get; init; } = 1_000;

    /// <summary>A category path, as in the catalog.</summary>
    public int MaxCategoryLength { get; init; } = 1_000;

    public int MaxExcludeIds { get; init; } = 1_000;

    /// <summary>Entries in rules.categories and in rules.excludeCategories, each.</summary>
    public int MaxCategories { get; init; } = 100;
}

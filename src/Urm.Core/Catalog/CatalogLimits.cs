namespace Urm.Core.Catalog;

/// <summary>
/// Size caps per field. They keep one oversized row from blowing up encoder inputs and card documents,
/// and bound the memory a single line may take while reading.
/// </summary>
public sealed record CatalogLimits
{
    public static CatalogLimits Default { get; } = new();

    public int MaxIdLength { get; init; } = 256;
    public int MaxTitleLength { get; init; } = 1_000;
    public int MaxDescriptionLength { get; init; } = 20_000;
    public int MaxCategoryLength { get; init; } = 1_000;
    public int MaxBrandLength { get; init; } = 200;
    public int MaxImageLength { get; init; } = 2_048;
    public int MaxAttributes { get; init; } = 100;
    public int MaxAttributeKeyLength { get; init; } = 100;
    public int MaxAttributeValueLength { get; init; } = 1_000;

    /// <summary>Raw bytes of one line; generous enough for every field at its cap with JSON escaping.</summary>
    public int MaxLineBytes { get; init; } = 4 * 1024 * 1024;
}

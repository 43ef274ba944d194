namespace Urm.Core.Catalog;

/// <summary>One valid catalog row (DESIGN.md, "Catalog row"). Strings are trimmed; absent optionals are null.</summary>
public sealed record CatalogItem(
    string Id,
    string Title,
    string? Description,
    string? Category,
    string? Brand,
    double? Price,
    IReadOnlyDictionary<string, string> Attributes,
    string? Image,
    bool Available)
{
    /// <summary>The category path split on '>' into trimmed levels, root first.</summary>
    public IReadOnlyList<string> CategoryPath =>
        Category is null ? [] : Category.Split('>', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

using Urm.Core.Catalog;

namespace Urm.Core.Cards;

/// <summary>
/// A short human-readable summary of an item stored with its card: the card vector says nothing a
/// person can read, and an answer ("because ...") or a debugging session needs to see what an item is
/// without going back to the catalog. Kept short (brand, category leaf, a few attributes) because it
/// rides in every card document, and a card store is billed by document size.
/// </summary>
public static class KeyPoints
{
    public const int MaxAttributes = 3;
    public const int MaxLength = 200;

    public static string? Of(CatalogItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var parts = new List<string>(2 + MaxAttributes);
        if (item.Brand is { } brand) parts.Add(brand);
        if (item.CategoryPath is [.., var leaf]) parts.Add(leaf);
        // Sorted by key: the source's attribute order carries no meaning (as in ContentHash), and the
        // same item must give the same text on every run.
        parts.AddRange(item.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Take(MaxAttributes).Select(a => $"{a.Key}: {a.Value}"));
        if (parts.Count == 0) return null;
        var text = string.Join("; ", parts);
        return text.Length <= MaxLength ? text : text[..(MaxLength - 1)] + "…";
    }
}

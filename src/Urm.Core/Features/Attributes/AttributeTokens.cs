using Urm.Core.Catalog;

namespace Urm.Core.Features.Attributes;

/// <summary>
/// Hashed categorical ids for an item's brand, category levels and attributes: the model learns an
/// embedding per bucket, so new brands or attribute values need no vocabulary update.
/// </summary>
public static class AttributeTokens
{
    /// <summary>Ids lie in [1, Buckets); 0 is padding.</summary>
    public const int Buckets = 65_536;

    /// <summary>Distinct ids, in the order brand, category levels root first, attributes by key.</summary>
    public static int[] For(CatalogItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var ids = new List<int>(4 + item.CategoryPath.Count + item.Attributes.Count);
        foreach (var token in Tokens(item))
        {
            var id = Id(token);
            if (!ids.Contains(id)) ids.Add(id);
        }
        return [.. ids];
    }

    /// <summary>
    /// The token strings behind the ids. Everything is trimmed and lower-cased so that "Nike" and
    /// "nike " in two uploads are the same brand.
    /// </summary>
    public static IEnumerable<string> Tokens(CatalogItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!string.IsNullOrWhiteSpace(item.Brand)) yield return "brand:" + Normalise(item.Brand);
        var path = "";
        foreach (var level in item.CategoryPath)
        {
            path = path.Length == 0 ? Normalise(level) : path + ">" + Normalise(level);
            yield return "cat:" + path;
        }
        foreach (var (key, value) in item.Attributes.OrderBy(a => Normalise(a.Key), StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(key) || string.IsNullOrWhiteSpace(value)) continue;
            yield return "attr:" + Normalise(key) + "=" + Normalise(value);
        }
    }

    /// <summary>The bucket of one token string, in [1, Buckets).</summary>
    public static int Id(string token) => 1 + (int)(Fnv1a64.Hash(token) % (Buckets - 1));

    private static string Normalise(string text) => text.Trim().ToLowerInvariant();
}

namespace Urm.Core.Serving;

/// <summary>
/// Category paths ("Shoes > Running") compared level by level, ignoring case and the spaces around
/// '>': "shoes" covers "Shoes>Running" but not "Shoestrings". A rule on a parent covers its sub-categories.
/// </summary>
public static class CategoryPath
{
    public static string[] Levels(string path)
        => path.Split('>', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether <paramref name="item"/> lies in (or is) <paramref name="prefix"/>.</summary>
    public static bool IsUnder(string[] item, string[] prefix)
    {
        if (prefix.Length == 0 || prefix.Length > item.Length) return false;
        for (var i = 0; i < prefix.Length; i++)
            if (!string.Equals(item[i], prefix[i], StringComparison.OrdinalIgnoreCase)) return false;
        return true;
    }
}

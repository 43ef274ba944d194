namespace Urm.Core.Serving;

/// <summary>The task names a request may ask for.</summary>
public static class RecommendTasks
{
    public const string NextItem = "next-item";
    public const string NextPurchase = "next-purchase";
    public const string Similar = "similar";
    public const string Search = "search";
    public const string Category = "category";
    public const string Explore = "explore";

    /// <summary>The task of a request that names none.</summary>
    public const string Default = NextItem;

    public static IReadOnlyList<string> All { get; } = [NextItem, NextPurchase, Similar, Search, Category, Explore];

    /// <summary>The canonical task name (any case, trimmed); <see cref="Default"/> for null or blank; null when unknown.</summary>
    public static string? Normalize(string? task)
    {
        if (string.IsNullOrWhiteSpace(task)) return Default;
        var trimmed = task.Trim();
        foreach (var name in All)
            if (string.Equals(name, trimmed, StringComparison.OrdinalIgnoreCase)) return name;
        return null;
    }
}

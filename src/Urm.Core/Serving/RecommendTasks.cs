using Urm.Core.Events;

namespace Urm.Core.Serving;

/// <summary>The task names a request may ask for, and the event names a history may carry.</summary>
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

    /// <summary>An event name (any case) -> its type; a missing one is a view, the weakest signal.</summary>
    public static bool TryParseEvent(string? name, out EventType type)
    {
        type = EventType.View;
        if (string.IsNullOrWhiteSpace(name)) return true;
        return name.Trim().ToLowerInvariant() switch
        {
            "view" => true,
            "click" => Set(EventType.Click, out type),
            "cart" => Set(EventType.Cart, out type),
            "purchase" => Set(EventType.Purchase, out type),
            _ => false,
        };
    }

    private static bool Set(EventType value, out EventType type)
    {
        type = value;
        return true;
    }
}

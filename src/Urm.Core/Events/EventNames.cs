namespace Urm.Core.Events;

/// <summary>The four event names of the contract (events files, a request's history), in any case.</summary>
public static class EventNames
{
    /// <summary>
    /// The type an event name stands for. Enum.TryParse would also take "2" or "View,Click"; only the four
    /// names are part of the contract.
    /// </summary>
    public static bool TryParse(string? name, out EventType type)
    {
        (var known, type) = name?.Trim().ToLowerInvariant() switch
        {
            "view" => (true, EventType.View),
            "click" => (true, EventType.Click),
            "cart" => (true, EventType.Cart),
            "purchase" => (true, EventType.Purchase),
            _ => (false, EventType.View),
        };
        return known;
    }
}

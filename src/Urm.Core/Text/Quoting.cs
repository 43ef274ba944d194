namespace Urm.Core.Text;

/// <summary>How messages quote a value the caller sent (a field, an id, a header): never more than a glance of it.</summary>
public static class Quoting
{
    /// <summary>
    /// <paramref name="value"/> itself, or its first <paramref name="max"/> characters and '…'. An error
    /// message should not carry a megabyte of the caller's input back, nor bury what it says about it.
    /// </summary>
    public static string Shorten(string value, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (value.Length <= max) return value;
        // Half a surrogate pair is not text: the message could not be encoded as UTF-8 or JSON.
        var cut = max > 0 && char.IsHighSurrogate(value[max - 1]) ? max - 1 : max;
        return value[..cut] + "…";
    }
}

namespace Urm.Core.Features;

/// <summary>The spellings settings and command lines use for an encoder's arithmetic: the enum names in lower case (<c>fp32</c>, <c>int8</c>).</summary>
public static class PrecisionNames
{
    public static string Name<T>(T precision) where T : struct, Enum => precision.ToString().ToLowerInvariant();

    /// <summary>Reads a spelling of <typeparamref name="T"/> (any case, surrounding space ignored); false, with the first value, when it is none.</summary>
    public static bool TryParse<T>(string? value, out T precision) where T : struct, Enum
    {
        foreach (var p in Enum.GetValues<T>())
            if (string.Equals(value?.Trim(), Name(p), StringComparison.OrdinalIgnoreCase))
            {
                precision = p;
                return true;
            }
        precision = Enum.GetValues<T>()[0];
        return false;
    }
}

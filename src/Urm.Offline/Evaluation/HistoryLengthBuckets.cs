namespace Urm.Offline.Evaluation;

/// <summary>History-length segments: 1-4, 5-9, 10-19, 20-49, 50+ events before the target (0 gets its own).</summary>
public static class HistoryLengthBuckets
{
    private static readonly int[] Starts = [1, 5, 10, 20, 50];

    public static IReadOnlyList<string> Labels { get; } = ["0", "1-4", "5-9", "10-19", "20-49", "50+"];

    public static string Of(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0) return "0";
        for (var i = Starts.Length - 1; i >= 0; i--)
            if (length >= Starts[i]) return Labels[i + 1];
        throw new InvalidOperationException("unreachable");
    }
}

using Urm.Core.Retrieval;

namespace Urm.Core.Tests.Retrieval;

/// <summary>What the scan tests build their cases from: card matrices and exclusion rules.</summary>
internal static class ScanCases
{
    /// <summary>No exclusion, every third row, the upper half, every row.</summary>
    public static IEnumerable<Func<int, bool>?> Exclusions(int n) =>
        [null, row => row % 3 == 0, row => row >= n / 2, _ => true];

    public static CardMatrix Matrix(int n, int d, Func<float> next) =>
        new(Enumerable.Range(0, n).Select(i => $"item-{i}").ToArray(), Values(n * d, next), d);

    public static float[] Values(int count, Func<float> next)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++) values[i] = next();
        return values;
    }
}

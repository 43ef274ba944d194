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

    /// <summary>The compressed scan with <paramref name="compact"/>'s first pass, pass two forced, gives the exact scan's rows,
    /// score bits and interests; so do the public entries (with their switch to the exact scan when candidates are many).</summary>
    public static void AssertSame(CardMatrix cards, float[] users, int k, Func<int, bool>? excluded, CompactCards compact)
    {
        var exact = SetRetriever.ExactTopK(cards, users, k, excluded);
        var compressed = SetRetriever.CompressedTopK(cards, users, k, excluded, boundFactor: 1f, exactWhenMany: false, compact: compact);
        Assert.Equal(exact.Select(e => e.Row), compressed.Select(c => c.Row));
        Assert.Equal(exact.Select(e => BitConverter.SingleToInt32Bits(e.Score)), compressed.Select(c => BitConverter.SingleToInt32Bits(c.Score)));
        Assert.Equal(exact.Select(e => e.Interest), compressed.Select(c => c.Interest));
        Assert.Equal(exact, SetRetriever.CompressedTopK(cards, users, k, excluded, compact: compact));
        if (compact == CompactCards.Int8) Assert.Equal(exact, SetRetriever.TopK(cards, users, k, excluded));   // serving's entry
    }
}

using Urm.Core.Retrieval;

namespace Urm.Core.Tests.Retrieval;

/// <summary>
/// The blocked scan (<see cref="CardBlocks"/> under <see cref="SetRetriever"/>) against a naive reference:
/// scalar double-precision max inner product over every eligible row, sorted by score, ties by row.
/// Sizes straddle the lane count (8 with AVX2, 16 with AVX-512) and d is often not a multiple of it.
/// </summary>
public class BlockedScanTests
{
    public static TheoryData<int, int, int, int> Shapes => new()
    {
        // n, d, m, k
        { 1, 1, 1, 1 },
        { 7, 3, 4, 5 },
        { 8, 8, 4, 8 },
        { 9, 13, 2, 4 },
        { 17, 64, 4, 40 },
        { 100, 32, 5, 10 },
        { 1_001, 64, 4, 40 },
        { 1_001, 7, 3, 2_000 },  // k beyond the eligible count
        { 4_099, 33, 1, 50 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Top_k_on_grid_values_equals_the_reference_exactly_ties_included(int n, int d, int m, int k)
    {
        // Multiples of 1/4 in [-1, 1]: every product and partial sum is exact in float, so float and
        // double agree to the bit and equal scores (across rows and across interests) really happen.
        var random = new Random(n * 31 + d);
        var cards = ScanCases.Matrix(n, d, () => random.Next(-4, 5) / 4f);
        var users = ScanCases.Values(m * d, () => random.Next(-4, 5) / 4f);

        foreach (var excluded in ScanCases.Exclusions(n))
        {
            var top = SetRetriever.TopK(cards, users, k, excluded);
            var expected = Reference(cards, users, excluded).Take(k).ToList();

            Assert.Equal(expected.Select(e => e.Row), top.Select(t => t.Row));
            Assert.Equal(expected.Select(e => (float)e.Score), top.Select(t => t.Score));
            Assert.Equal(expected.Select(e => e.Interest), top.Select(t => t.Interest));
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Top_k_on_continuous_values_matches_the_reference_and_scores_as_Score_does(int n, int d, int m, int k)
    {
        var random = new Random(n * 17 + d);
        var cards = ScanCases.Matrix(n, d, () => (float)(random.NextDouble() * 2 - 1));
        var users = ScanCases.Values(m * d, () => (float)(random.NextDouble() * 2 - 1));

        var top = SetRetriever.TopK(cards, users, k, row => row % 5 == 1);
        var expected = Reference(cards, users, row => row % 5 == 1).Take(k).ToList();

        Assert.Equal(expected.Select(e => e.Row), top.Select(t => t.Row));
        foreach (var (item, reference) in top.Zip(expected))
        {
            Assert.Equal(reference.Score, item.Score, 1e-4);
            // The contract evaluation relies on: the scan and Score give the same bits, not just close ones.
            var (score, interest) = SetRetriever.Score(cards.Row(item.Row), users, m);
            Assert.Equal(BitConverter.SingleToInt32Bits(score), BitConverter.SingleToInt32Bits(item.Score));
            Assert.Equal(interest, item.Interest);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CountAbove_counts_rows_strictly_above_and_never_the_padding(int n, int d, int m, int _)
    {
        var random = new Random(n + d * 7);
        var cards = ScanCases.Matrix(n, d, () => random.Next(-4, 5) / 4f);
        var users = ScanCases.Values(m * d, () => random.Next(-4, 5) / 4f);
        var scores = Reference(cards, users, _ => false).Select(r => r.Score).ToList();

        // Each row's own score (ties are not above), and one below everything, where padding lanes
        // (zero cards, score 0) would be counted if the partial last block leaked them.
        foreach (var threshold in scores.Distinct().Append(scores.Min() - 1))
            Assert.Equal(scores.Count(s => s > threshold), SetRetriever.CountAbove(cards, users, (float)threshold));
    }

    [Fact]
    public void All_rows_excluded_give_nothing()
    {
        var random = new Random(3);
        var cards = ScanCases.Matrix(37, 10, () => (float)random.NextDouble());
        Assert.Empty(SetRetriever.TopK(cards, ScanCases.Values(20, () => 1f), k: 5, excluded: _ => true));
    }

    [Fact]
    public void An_empty_catalog_gives_nothing()
    {
        var cards = new CardMatrix([], [], 4);
        Assert.Empty(SetRetriever.TopK(cards, [1f, 0f, 0f, 0f], k: 5));
        Assert.Equal(0, SetRetriever.CountAbove(cards, [1f, 0f, 0f, 0f], -1f));
    }

    [Fact]
    public void Blocks_hold_each_card_transposed_with_zero_padding()
    {
        var lanes = CardBlocks.Lanes;
        var n = lanes + 3;
        const int d = 5;
        var cards = ScanCases.Matrix(n, d, new Counter().Next);
        var blocks = cards.Blocks;
        Assert.Equal(2, blocks.BlockCount);

        // Against a one-hot user vector on dimension j, lane l of block b scores card (b·lanes + l)[j].
        for (var j = 0; j < d; j++)
        {
            var user = new float[d];
            user[j] = 1f;
            for (var b = 0; b < blocks.BlockCount; b++)
            {
                blocks.ScoreBlock(b, user, 1, out var best, out _);
                for (var l = 0; l < lanes; l++)
                {
                    var row = b * lanes + l;
                    Assert.Equal(row < n ? cards.Row(row)[j] : 0f, best[l]);
                }
            }
        }
    }

    private static List<(int Row, double Score, int Interest)> Reference(CardMatrix cards, float[] users, Func<int, bool>? excluded)
    {
        var d = cards.Dimension;
        var m = users.Length / d;
        var scored = new List<(int Row, double Score, int Interest)>();
        for (var row = 0; row < cards.Count; row++)
        {
            if (excluded is not null && excluded(row)) continue;
            var card = cards.Row(row);
            double best = double.NegativeInfinity;
            var interest = 0;
            for (var s = 0; s < m; s++)
            {
                double sum = 0;
                for (var j = 0; j < d; j++) sum += (double)card[j] * users[s * d + j];
                if (sum > best) { best = sum; interest = s; }
            }
            scored.Add((row, best, interest));
        }
        return scored.OrderByDescending(x => x.Score).ThenBy(x => x.Row).ToList();
    }

    private sealed class Counter
    {
        private int _next;
        public float Next() => ++_next;
    }
}

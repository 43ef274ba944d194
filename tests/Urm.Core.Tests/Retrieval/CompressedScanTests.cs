using Urm.Core.Retrieval;

namespace Urm.Core.Tests.Retrieval;

/// <summary>
/// The compressed scan (int8 first pass, fp32 re-score; <see cref="SetRetriever.CompressedTopK"/>) against
/// the exact blocked scan (<see cref="SetRetriever.ExactTopK"/>): the same rows, order, score bits and
/// interests, on random and adversarial cards. Pass two is forced (no switch to the exact scan when the
/// candidates are many) so that small catalogs exercise it.
/// </summary>
public class CompressedScanTests
{
    public static TheoryData<int, int, int, int> Shapes => new()
    {
        // n, d, m, k
        { 1, 1, 1, 1 },
        { 7, 3, 4, 5 },
        { 9, 13, 2, 4 },
        { 17, 64, 4, 40 },     // k beyond the count
        { 100, 32, 5, 10 },    // M not a multiple of 4
        { 1_001, 64, 4, 40 },
        { 4_099, 33, 1, 50 },  // d not a multiple of 4
        { 20_000, 64, 4, 40 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Continuous_random_cards_give_the_exact_answer(int n, int d, int m, int k)
    {
        var random = new Random(n * 13 + d);
        var cards = ScanCases.Matrix(n, d, () => (float)(random.NextDouble() * 2 - 1));
        for (var request = 0; request < 5; request++)
        {
            var users = ScanCases.Values(m * d, () => (float)(random.NextDouble() * 2 - 1));
            foreach (var excluded in ScanCases.Exclusions(n)) AssertSame(cards, users, k, excluded);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Grid_cards_with_real_ties_give_the_exact_answer(int n, int d, int m, int k)
    {
        // Multiples of 1/4: equal scores across rows and across interests really happen.
        var random = new Random(n * 7 + d);
        var cards = ScanCases.Matrix(n, d, () => random.Next(-4, 5) / 4f);
        var users = ScanCases.Values(m * d, () => random.Next(-4, 5) / 4f);
        foreach (var excluded in ScanCases.Exclusions(n)) AssertSame(cards, users, k, excluded);
    }

    [Fact]
    public void Near_ties_duplicates_and_zero_cards_give_the_exact_answer()
    {
        // Cards a hair apart (far inside the int8 error), runs of identical cards, zero cards, cards of
        // very different sizes, and cards too small or too large for the relative bound, interleaved.
        const int n = 3_000, d = 64, m = 4;
        var random = new Random(11);
        var basis = ScanCases.Values(d, () => (float)(random.NextDouble() * 2 - 1));
        var vectors = new float[n * d];
        for (var row = 0; row < n; row++)
        {
            var card = vectors.AsSpan(row * d, d);
            switch (row % 6)
            {
                case 0: for (var j = 0; j < d; j++) card[j] = basis[j] + (float)(random.NextDouble() - 0.5) * 1e-5f; break;
                case 1: vectors.AsSpan((row - 1) * d, d).CopyTo(card); break; // a duplicate of the row before
                case 2: break; // zero
                case 3: for (var j = 0; j < d; j++) card[j] = basis[j] * (1 + row % 5 * 1e-7f); break;
                case 4: for (var j = 0; j < d; j++) card[j] = (float)(random.NextDouble() * 2 - 1) * (row % 4 == 0 ? 1e-3f : 1e3f); break;
                default: for (var j = 0; j < d; j++) card[j] = basis[j] * (row % 4 == 1 ? 1e-25f : 1e25f); break;
            }
        }
        var cards = new CardMatrix(Enumerable.Range(0, n).Select(i => $"item-{i}").ToArray(), vectors, d);
        for (var request = 0; request < 10; request++)
        {
            // Users along the basis (everything near-ties) and at random, some pointing away (negative scores).
            var users = ScanCases.Values(m * d, () => (float)(random.NextDouble() * 2 - 1));
            if (request % 2 == 0) for (var i = 0; i < users.Length; i++) users[i] = basis[i % d] * (request % 4 == 0 ? 1 : -1);
            foreach (var k in new[] { 1, 10, 40, 500, n + 5 })
                foreach (var excluded in ScanCases.Exclusions(n)) AssertSame(cards, users, k, excluded);
        }
    }

    [Fact]
    public void The_bound_holds_for_every_card_and_padding_lane()
    {
        const int n = 5_003, d = 37, m = 3;
        var random = new Random(5);
        var cards = ScanCases.Matrix(n, d, () => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 4))));
        var quantized = cards.Quantized!;
        var users = ScanCases.Values(m * d, () => (float)(random.NextDouble() * 2 - 1));
        var padded = quantized.BroadcastUsers(users, m);
        var norm = 0.0;
        for (var s = 0; s < m; s++) norm = Math.Max(norm, users.AsSpan(s * d, d).ToArray().Sum(v => Math.Abs((double)v)));
        var worst = 0.0;
        for (var block = 0; block < quantized.BlockCount; block++)
        {
            quantized.ScoreBlock(block, padded, m, (float)norm * (1 + 1e-6f), QuantizedCards.AbsoluteSlack(d), out var approximate, out var bound);
            for (var lane = 0; lane < QuantizedCards.Lanes; lane++)
            {
                var row = block * QuantizedCards.Lanes + lane;
                var exact = row < n ? SetRetriever.Score(cards.Row(row), users, m).Score : 0f;
                Assert.InRange(exact, approximate[lane] - bound[lane], approximate[lane] + bound[lane]);
                worst = Math.Max(worst, Math.Abs(exact - approximate[lane]) / bound[lane]);
            }
        }
        // The bound is not absurdly loose either: some card uses a fair part of it.
        Assert.InRange(worst, 0.05, 1.0);
    }

    [Fact]
    public void The_bound_is_met_with_equality_by_cards_built_for_it()
    {
        // Largest value 127, so the scale is 1 and the other values, halves, all round by exactly 1/2;
        // a user vector with the signs of those errors collects e·‖u‖₁ in full. Any bound smaller than
        // the proven one fails here.
        const int d = 64;
        var random = new Random(2);
        var card = new float[d];
        var user = new float[d];
        card[0] = 127f;
        for (var j = 1; j < d; j++)
        {
            card[j] = random.Next(-120, 120) + 0.5f;
            user[j] = card[j] - MathF.Round(card[j]) > 0 ? 1f : -1f;
        }
        var cards = new CardMatrix(["tight"], card, d);
        var quantized = cards.Quantized!;
        quantized.ScoreBlock(0, quantized.BroadcastUsers(user, 1), 1, d - 1, QuantizedCards.AbsoluteSlack(d), out var approximate, out var bound);
        var exact = SetRetriever.Score(card, user, 1).Score;
        Assert.InRange(exact, approximate[0] - bound[0], approximate[0] + bound[0]);
        Assert.True(Math.Abs(exact - approximate[0]) > 0.99 * bound[0], $"error {Math.Abs(exact - approximate[0])}, bound {bound[0]}");
    }

    [Fact]
    public void Trusting_the_int8_scores_without_the_bound_would_get_answers_wrong()
    {
        // The check that these tests can fail: with the bound set to zero, the same comparison as
        // AssertSame finds differences on plain random cards. The bound is what makes the answer exact.
        const int n = 20_000, d = 64, m = 4, k = 40;
        var random = new Random(3);
        var cards = ScanCases.Matrix(n, d, () => (float)(random.NextDouble() * 2 - 1));
        var wrong = 0;
        for (var request = 0; request < 20; request++)
        {
            var users = ScanCases.Values(m * d, () => (float)(random.NextDouble() * 2 - 1));
            var exact = SetRetriever.ExactTopK(cards, users, k);
            var trusted = SetRetriever.CompressedTopK(cards, users, k, null, boundFactor: 0f, exactWhenMany: false);
            if (!exact.SequenceEqual(trusted)) wrong++;
            Assert.Equal(exact, SetRetriever.CompressedTopK(cards, users, k, null, boundFactor: 1f, exactWhenMany: false));
        }
        Assert.True(wrong > 0, "int8 scores alone matched the exact scan on every request: the data does not test the bound");
    }

    [Fact]
    public void TopK_uses_the_compact_copy_and_asks_about_few_rows()
    {
        const int n = 50_000, d = 64, m = 4, k = 40;
        var random = new Random(9);
        var cards = ScanCases.Matrix(n, d, () => (float)(random.NextDouble() * 2 - 1));
        Assert.NotNull(cards.Quantized);
        Assert.Equal(64 + 8, cards.CompactBytesPerCard);
        var users = ScanCases.Values(m * d, () => (float)(random.NextDouble() * 2 - 1));
        var asked = 0;
        var top = SetRetriever.TopK(cards, users, k, row => { asked++; return row % 2 == 0; });
        Assert.Equal(SetRetriever.ExactTopK(cards, users, k, row => row % 2 == 0), top);
        Assert.InRange(asked, k, n / 20);
    }

    [Fact]
    public void A_matrix_with_a_non_finite_value_has_no_compact_copy_and_is_scanned_exactly()
    {
        var cards = new CardMatrix(["a", "b", "c"], [1f, 0f, float.NaN, 1f, 0.5f, 0.5f], 2);
        Assert.Null(cards.Quantized);
        Assert.Equal(0, cards.CompactBytesPerCard);
        Assert.Equal(SetRetriever.ExactTopK(cards, [1f, 0f], 2), SetRetriever.TopK(cards, [1f, 0f], 2));
        Assert.Throws<InvalidOperationException>(() => SetRetriever.CompressedTopK(cards, [1f, 0f], 2));
    }

    [Fact]
    public void Zero_and_huge_user_vectors_fall_back_to_the_exact_scan()
    {
        var random = new Random(1);
        var cards = ScanCases.Matrix(300, 8, () => (float)(random.NextDouble() * 2 - 1));
        AssertSame(cards, new float[16], 10, null);
        AssertSame(cards, ScanCases.Values(16, () => 1e30f), 10, null);
        AssertSame(cards, ScanCases.Values(16, () => float.MaxValue), 10, null);
    }

    private static void AssertSame(CardMatrix cards, float[] users, int k, Func<int, bool>? excluded)
    {
        var exact = SetRetriever.ExactTopK(cards, users, k, excluded);
        var compressed = SetRetriever.CompressedTopK(cards, users, k, excluded, boundFactor: 1f, exactWhenMany: false);
        Assert.Equal(exact.Select(e => e.Row), compressed.Select(c => c.Row));
        Assert.Equal(exact.Select(e => BitConverter.SingleToInt32Bits(e.Score)), compressed.Select(c => BitConverter.SingleToInt32Bits(c.Score)));
        Assert.Equal(exact.Select(e => e.Interest), compressed.Select(c => c.Interest));
        // The public entry, with its switch to the exact scan when candidates are many, agrees too.
        Assert.Equal(exact, SetRetriever.TopK(cards, users, k, excluded));
    }
}

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

    /// <summary><see cref="Shapes"/> with each compact copy: int8 (serving's) and fp16 (<see cref="CompressedScanFp16Tests"/> has its own cases).</summary>
    public static TheoryData<CompactCards, int, int, int, int> ShapesOfBothCopies()
    {
        var data = new TheoryData<CompactCards, int, int, int, int>();
        foreach (var compact in new[] { CompactCards.Int8, CompactCards.Fp16 })
            foreach (var shape in Shapes)
                data.Add(compact, (int)shape[0], (int)shape[1], (int)shape[2], (int)shape[3]);
        return data;
    }

    [Theory]
    [MemberData(nameof(ShapesOfBothCopies))]
    public void Continuous_random_cards_give_the_exact_answer(CompactCards compact, int n, int d, int m, int k)
    {
        var random = new Random(n * 13 + d);
        var cards = ScanCases.Matrix(n, d, () => (float)(random.NextDouble() * 2 - 1));
        for (var request = 0; request < 5; request++)
        {
            var users = ScanCases.Values(m * d, () => (float)(random.NextDouble() * 2 - 1));
            foreach (var excluded in ScanCases.Exclusions(n)) ScanCases.AssertSame(cards, users, k, excluded, compact);
        }
    }

    [Theory]
    [MemberData(nameof(ShapesOfBothCopies))]
    public void Grid_cards_with_real_ties_give_the_exact_answer(CompactCards compact, int n, int d, int m, int k)
    {
        // Multiples of 1/4 (which fp16 holds exactly): equal scores across rows and across interests really happen.
        var random = new Random(n * 7 + d);
        var cards = ScanCases.Matrix(n, d, () => random.Next(-4, 5) / 4f);
        var users = ScanCases.Values(m * d, () => random.Next(-4, 5) / 4f);
        foreach (var excluded in ScanCases.Exclusions(n)) ScanCases.AssertSame(cards, users, k, excluded, compact);
    }

    [Theory]
    [InlineData(CompactCards.Int8, 1e-5f, 1e3f, 11)]
    [InlineData(CompactCards.Fp16, 1e-6f, 1e12f, 12)]   // fp16 alone holds 6e-8 to 65,504; the per-card scale moves 1e±12 in
    public void Near_ties_duplicates_zero_tiny_and_huge_cards_give_the_exact_answer(CompactCards compact, float hair, float spread, int seed)
    {
        // Cards a hair apart (far inside the compact copy's error), runs of identical cards, zero cards, cards of
        // very different sizes, and cards too small or too large for the bound (1e-25, 1e25: infinite bound, always
        // re-scored), interleaved.
        const int n = 3_000, d = 64, m = 4;
        var random = new Random(seed);
        var basis = ScanCases.Values(d, () => (float)(random.NextDouble() * 2 - 1));
        var vectors = new float[n * d];
        for (var row = 0; row < n; row++)
        {
            var card = vectors.AsSpan(row * d, d);
            switch (row % 6)
            {
                case 0: for (var j = 0; j < d; j++) card[j] = basis[j] + (float)(random.NextDouble() - 0.5) * hair; break;
                case 1: vectors.AsSpan((row - 1) * d, d).CopyTo(card); break; // a duplicate of the row before
                case 2: break; // zero
                case 3: for (var j = 0; j < d; j++) card[j] = basis[j] * (1 + row % 5 * 1e-7f); break;
                case 4: for (var j = 0; j < d; j++) card[j] = (float)(random.NextDouble() * 2 - 1) * (row % 4 == 0 ? 1 / spread : spread); break;
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
                foreach (var excluded in ScanCases.Exclusions(n)) ScanCases.AssertSame(cards, users, k, excluded, compact);
        }
    }

    [Fact]
    public void The_bound_holds_for_every_card_and_padding_lane()
    {
        const int n = 5_003, d = 37, m = 3;
        var random = new Random(5);
        var cards = ScanCases.Matrix(n, d, () => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 4))));
        var users = ScanCases.Values(m * d, () => (float)(random.NextDouble() * 2 - 1));
        var worst = AssertBoundHolds(cards, users, m);
        // The bound is not absurdly loose either: some card uses a fair part of it.
        Assert.InRange(worst, 0.05, 1.0);
    }

    public static TheoryData<string> UserKinds => new() { "gaussian", "one huge, the rest small", "huge and tiny", "a zero vector among others", "subnormal and zero components", "alternating signs", "integers" };

    [Theory]
    [MemberData(nameof(UserKinds))]
    public void The_bound_holds_for_adversarial_user_vectors_with_both_kernels(string kind)
    {
        // Cards of many sizes, zero cards and cards too small or large for the relative bound among them.
        const int n = 2_003, d = 64, m = 4;
        var random = new Random(kind.Length);
        var vectors = ScanCases.Values(n * d, () => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 4))));
        for (var row = 0; row < n; row += 97) vectors.AsSpan(row * d, d).Clear();
        for (var row = 5; row < n; row += 101) for (var j = 0; j < d; j++) vectors[row * d + j] *= 1e-22f;
        var cards = new CardMatrix(Enumerable.Range(0, n).Select(i => $"item-{i}").ToArray(), vectors, d);
        for (var request = 0; request < 20; request++)
        {
            var users = new float[m * d];
            for (var i = 0; i < users.Length; i++)
            {
                var sign = random.Next(2) == 0 ? -1 : 1;
                users[i] = kind switch
                {
                    "gaussian" => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())),
                    "one huge, the rest small" => sign * (i % d == request % d ? 1e6f : (float)random.NextDouble() * 1e-3f),
                    "huge and tiny" => sign * (float)Math.Pow(10, random.Next(-30, 13)),
                    "a zero vector among others" => i / d == 1 ? 0f : sign * (float)random.NextDouble(),
                    "subnormal and zero components" => random.Next(3) switch { 0 => 0f, 1 => sign * 1e-40f, _ => sign * (float)random.NextDouble() },
                    "alternating signs" => i % 2 == 0 ? 0.125f : -0.125f,
                    _ => random.Next(-3, 4),
                };
            }
            if (kind == "subnormal and zero components") users[0] = 1f; // some vector has a normal largest value
            AssertBoundHolds(cards, users, m);
        }
    }

    [Fact]
    public void The_bound_is_met_with_equality_by_cards_built_for_it()
    {
        // Largest value 127, so the scale is 1 and the other values, halves, all round by exactly 1/2;
        // a user vector with the signs of those errors (±1, which int16 holds almost exactly) collects
        // e·‖u‖₁ in full. Any bound smaller than the proven one fails here.
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
        quantized.ScoreBlock(0, quantized.QuantizeUsers(user, 1)!, QuantizedCards.AbsoluteSlack(d), out var approximate, out var bound);
        var exact = SetRetriever.Score(card, user, 1).Score;
        Assert.InRange(exact, approximate[0] - bound[0], approximate[0] + bound[0]);
        Assert.True(Math.Abs(exact - approximate[0]) > 0.99 * bound[0], $"error {Math.Abs(exact - approximate[0])}, bound {bound[0]}");
    }

    [Fact]
    public void The_user_vectors_quantisation_error_needs_its_own_term_in_the_bound()
    {
        // A card that int8 holds exactly (integers up to 127: scale 1, e = 0), and a user vector with one
        // value 1 (so s = 1/U) and the others just under s/2 with the card's signs: each rounds to 0 and
        // its whole value is error, of the card's sign, so the errors add up to about (s/2)·‖c‖₁, with
        // ‖u‖₁ barely above 1. Without E·‖c‖₁ the bound is r·N ≈ 127·272·2^-24, far below that.
        const int d = 64;
        var random = new Random(4);
        var card = new float[d];
        card[0] = 127f;
        for (var j = 1; j < d; j++) card[j] = random.Next(60, 128) * (random.Next(2) == 0 ? -1 : 1);
        var cards = new CardMatrix(["exact"], card, d);
        var quantized = cards.Quantized!;
        var step = 1f / quantized.UserLimit;
        var user = new float[d];
        user[0] = 1f;
        for (var j = 1; j < d; j++) user[j] = MathF.Sign(card[j]) * 0.49f * step;
        var users = quantized.QuantizeUsers(user, 1)!;
        Assert.True(users.Error > 0.48f * step, $"E = {users.Error}");
        var exact = SetRetriever.Score(card, user, 1).Score;
        var slack = QuantizedCards.AbsoluteSlack(d);

        quantized.ScoreBlock(0, users, slack, out var approximate, out var bound);
        var error = Math.Abs(exact - approximate[0]);
        Assert.InRange(exact, approximate[0] - bound[0], approximate[0] + bound[0]);
        Assert.True(error > 0.9 * bound[0], $"error {error}, bound {bound[0]}: the case does not press on the user term");

        quantized.ScoreBlock(0, users with { Error = 0f }, slack, out var withoutTerm, out var smallerBound);
        Assert.Equal(approximate[0], withoutTerm[0]);
        Assert.True(error > 10 * smallerBound[0], $"error {error}, bound without the user term {smallerBound[0]}");
    }

    [Fact]
    public void User_vectors_the_bound_cannot_speak_for_are_refused_and_scanned_exactly()
    {
        var random = new Random(6);
        var cards = ScanCases.Matrix(300, 8, () => (float)(random.NextDouble() * 2 - 1));
        var quantized = cards.Quantized!;
        float[][] refused =
        [
            new float[16],                                                      // all zero
            [1e-20f, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],              // a non-zero vector with its largest value below 2^-60
            [1e18f, 1e18f, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],           // ‖u‖₁ ≥ 2^60
            [float.NaN, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
            [float.PositiveInfinity, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
        ];
        foreach (var users in refused)
        {
            Assert.Null(quantized.QuantizeUsers(users, 2));
            if (users.All(float.IsFinite)) AssertSame(cards, users, 10, null);
        }
        Assert.NotNull(quantized.QuantizeUsers([1e-17f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 2)); // one zero vector, one small one: fine
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_portable_kernel_gives_the_same_answers_and_bits(int n, int d, int m, int k)
    {
        var random = new Random(n * 5 + d);
        var cards = ScanCases.Matrix(n, d, () => (float)(random.NextDouble() * 2 - 1));
        var quantized = cards.Quantized!;
        var users = ScanCases.Values(m * d, () => (float)(random.NextDouble() * 2 - 1));
        var quantizedUsers = quantized.QuantizeUsers(users, m)!;
        for (var block = 0; block < quantized.BlockCount; block += Math.Max(1, quantized.BlockCount / 50))
        {
            quantized.UsePortableKernel = false;
            quantized.ScoreBlock(block, quantizedUsers, QuantizedCards.AbsoluteSlack(d), out var approximate, out var bound);
            quantized.UsePortableKernel = true;
            quantized.ScoreBlock(block, quantizedUsers, QuantizedCards.AbsoluteSlack(d), out var portable, out var portableBound);
            Assert.Equal(approximate, portable);
            Assert.Equal(bound, portableBound);
        }
        quantized.UsePortableKernel = true;
        foreach (var excluded in ScanCases.Exclusions(n)) AssertSame(cards, users, k, excluded);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void A_scan_split_across_threads_gives_the_one_thread_answer(int threads)
    {
        // Enough cards for several parts (MinBlocksPerThread blocks each); grid values make real ties
        // across the parts' boundaries, which the merge must break by the lower row as one thread does.
        const int d = 8, m = 4;
        var n = 3 * SetRetriever.MinBlocksPerThread * QuantizedCards.Lanes + 5;
        var random = new Random(threads);
        var continuous = ScanCases.Matrix(n, d, () => (float)(random.NextDouble() * 2 - 1));
        var grid = ScanCases.Matrix(n, d, () => random.Next(-2, 3) / 2f);
        foreach (var cards in new[] { continuous, grid })
            for (var request = 0; request < 3; request++)
            {
                var users = ScanCases.Values(m * d, () => random.Next(-4, 5) / 4f);
                foreach (var k in new[] { 1, 40, 1_000 })
                    foreach (var excluded in ScanCases.Exclusions(n))
                    {
                        var one = SetRetriever.ExactTopK(cards, users, k, excluded);
                        Assert.Equal(one, SetRetriever.ExactTopK(cards, users, k, excluded, threads));
                        Assert.Equal(one, SetRetriever.CompressedTopK(cards, users, k, excluded, boundFactor: 1f, exactWhenMany: false, threads));
                        Assert.Equal(one, SetRetriever.TopK(cards, users, k, excluded, threads));
                    }
            }
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
        Assert.Equal(64 + 12, cards.CompactBytesPerCard);
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

    /// <summary>Every card's and padding lane's exact score lies within its bound, with both kernels (which agree to the bit); returns the largest error / bound.</summary>
    private static double AssertBoundHolds(CardMatrix cards, float[] users, int m)
    {
        var quantized = cards.Quantized!;
        var d = cards.Dimension;
        var quantizedUsers = quantized.QuantizeUsers(users, m)!;
        var slack = QuantizedCards.AbsoluteSlack(d);
        var worst = 0.0;
        for (var block = 0; block < quantized.BlockCount; block++)
        {
            quantized.UsePortableKernel = false;
            quantized.ScoreBlock(block, quantizedUsers, slack, out var approximate, out var bound);
            quantized.UsePortableKernel = true;
            quantized.ScoreBlock(block, quantizedUsers, slack, out var portable, out var portableBound);
            Assert.Equal(approximate, portable);
            Assert.Equal(bound, portableBound);
            for (var lane = 0; lane < QuantizedCards.Lanes; lane++)
            {
                var row = block * QuantizedCards.Lanes + lane;
                var exact = row < cards.Count ? SetRetriever.Score(cards.Row(row), users, m).Score : 0f;
                Assert.InRange(exact, approximate[lane] - bound[lane], approximate[lane] + bound[lane]);
                if (float.IsFinite(bound[lane])) worst = Math.Max(worst, Math.Abs(exact - approximate[lane]) / bound[lane]);
            }
        }
        quantized.UsePortableKernel = false;
        return worst;
    }

    private static void AssertSame(CardMatrix cards, float[] users, int k, Func<int, bool>? excluded) =>
        ScanCases.AssertSame(cards, users, k, excluded, CompactCards.Int8);
}

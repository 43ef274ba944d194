using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Urm.Core.Retrieval;

namespace Urm.Core.Tests.Retrieval;

/// <summary>
/// The compressed scan with the fp16 first pass (<see cref="HalfCards"/>, fp32 re-score) against the exact
/// blocked scan (<see cref="SetRetriever.ExactTopK"/>): the same rows, order, score bits and interests, on
/// random and adversarial cards; the bound on every card; and the AVX2 and portable kernels bit for bit.
/// Pass two is forced (no switch to the exact scan when the candidates are many) so that small catalogs
/// exercise it. The random, tied-grid and near-tie cases of <see cref="CompressedScanTests"/> run with both first passes.
/// </summary>
public class CompressedScanFp16Tests
{
    [Fact]
    public void The_bound_holds_for_every_card_and_padding_lane()
    {
        const int n = 5_003, d = 37, m = 3;
        var random = new Random(6);
        var cards = ScanCases.Matrix(n, d, () => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 4))));
        var users = ScanCases.Values(m * d, () => (float)(random.NextDouble() * 2 - 1));
        var worst = AssertBoundHolds(cards, users, m);
        // The bound is not absurdly loose either: some card uses a fair part of it.
        Assert.InRange(worst, 0.05, 1.0);
    }

    [Theory]
    [MemberData(nameof(CompressedScanTests.UserKinds), MemberType = typeof(CompressedScanTests))]
    public void The_bound_holds_for_adversarial_user_vectors_with_both_kernels(string kind)
    {
        // Cards of many sizes, zero cards and cards too small for the bound among them.
        const int n = 2_003, d = 64, m = 4;
        var random = new Random(kind.Length + 1);
        var vectors = ScanCases.Values(n * d, () => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 4))));
        for (var row = 0; row < n; row += 97) vectors.AsSpan(row * d, d).Clear();
        for (var row = 5; row < n; row += 101) for (var j = 0; j < d; j++) vectors[row * d + j] *= 1e-22f;
        // Values spanning fp16's whole range and below within one card: subnormal halves and zeros.
        for (var row = 7; row < n; row += 89) for (var j = 0; j < d; j++) vectors[row * d + j] = (float)((random.NextDouble() * 2 - 1) * Math.Pow(2, -j));
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
    public void The_bound_is_nearly_met_by_cards_built_for_it()
    {
        // Largest value 2^14, so the scale is 1; the other values lie in [2^13, 2^14), where fp16's step is
        // 8, at odd multiples of 4: each rounds by exactly 4 = e. A user vector with the signs of those
        // errors (±1) collects e·‖u‖₁ in full: the exact error is e·N, and the bound adds only the small
        // rounding term. A bound without e·N, or with a smaller e, fails here.
        const int d = 64;
        var random = new Random(2);
        var card = new float[d];
        var user = new float[d];
        card[0] = 16_384f;
        for (var j = 1; j < d; j++)
        {
            card[j] = (random.Next(1024, 2048) * 8 + 4) * (random.Next(2) == 0 ? -1 : 1);
            var error = card[j] - (float)(Half)card[j];
            Assert.Equal(4f, MathF.Abs(error));
            user[j] = MathF.Sign(error);
        }
        var cards = new CardMatrix(["tight"], card, d);
        var half = cards.Half!;
        half.ScoreBlock(0, half.PrepareUsers(user, 1)!, HalfCards.AbsoluteSlack(d), out var approximate, out var bound);
        var exact = SetRetriever.Score(card, user, 1).Score;
        Assert.InRange(exact, approximate[0] - bound[0], approximate[0] + bound[0]);
        Assert.True(Math.Abs(exact - approximate[0]) > 0.9 * bound[0], $"error {Math.Abs(exact - approximate[0])}, bound {bound[0]}");
    }

    [Fact]
    public void Trusting_the_fp16_scores_without_the_bound_would_get_answers_wrong()
    {
        // The check that these tests can fail: with the bound set to zero, the same comparison as
        // AssertSame finds differences. Cards scattered around one direction, a little wider than fp16's
        // error, so that the top k's edge falls among rows whose fp16 scores are out of order.
        const int n = 20_000, d = 64, m = 4, k = 40;
        var random = new Random(3);
        var basis = ScanCases.Values(d, () => (float)(random.NextDouble() * 2 - 1));
        var at = 0;
        var cards = ScanCases.Matrix(n, d, () => basis[at++ % d] + (float)(random.NextDouble() - 0.5) * 2e-3f);
        var wrong = 0;
        for (var request = 0; request < 20; request++)
        {
            var users = ScanCases.Values(m * d, () => (float)(random.NextDouble() * 2 - 1));
            var exact = SetRetriever.ExactTopK(cards, users, k);
            var trusted = SetRetriever.CompressedTopK(cards, users, k, null, boundFactor: 0f, exactWhenMany: false, compact: CompactCards.Fp16);
            if (!exact.SequenceEqual(trusted)) wrong++;
            Assert.Equal(exact, SetRetriever.CompressedTopK(cards, users, k, null, boundFactor: 1f, exactWhenMany: false, compact: CompactCards.Fp16));
        }
        Assert.True(wrong > 0, "fp16 scores alone matched the exact scan on every request: the data does not test the bound");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_scan_split_across_threads_gives_the_one_thread_exact_answer(int threads)
    {
        // Enough cards for several parts (MinBlocksPerThread blocks each); grid values make real ties
        // across the parts' boundaries, which the merge must break by the lower row as one thread does.
        const int d = 8, m = 4;
        var n = 3 * SetRetriever.MinBlocksPerThread * HalfCards.Lanes + 5;
        var random = new Random(threads + 10);
        var continuous = ScanCases.Matrix(n, d, () => (float)(random.NextDouble() * 2 - 1));
        var grid = ScanCases.Matrix(n, d, () => random.Next(-2, 3) / 2f);
        foreach (var cards in new[] { continuous, grid })
            for (var request = 0; request < 2; request++)
            {
                var users = ScanCases.Values(m * d, () => random.Next(-4, 5) / 4f);
                foreach (var k in new[] { 1, 40, 1_000 })
                    foreach (var excluded in ScanCases.Exclusions(n))
                    {
                        var exact = SetRetriever.ExactTopK(cards, users, k, excluded);
                        Assert.Equal(exact, SetRetriever.CompressedTopK(cards, users, k, excluded, boundFactor: 1f, exactWhenMany: false, threads, CompactCards.Fp16));
                        Assert.Equal(exact, SetRetriever.CompressedTopK(cards, users, k, excluded, threads, CompactCards.Fp16));
                    }
            }
    }

    [Fact]
    public void Widening_gives_two_to_the_minus_112_times_every_finite_half_with_both_kernels()
    {
        // All 65,536 bit patterns through the scalar widening, the finite ones checked against .NET's own
        // Half to float conversion (zeros of both signs and subnormals included), and 8 at a time through
        // the AVX2 widening, which must give the same bits.
        var scale = Math.Pow(2, -HalfCards.ExponentGap);
        for (var bits = 0; bits < 65_536; bits++)
        {
            var half = BitConverter.Int16BitsToHalf((short)bits);
            if (!Half.IsFinite(half)) continue;
            var widened = HalfCards.WidenScalar((short)bits);
            Assert.Equal((double)(float)half * scale, (double)widened);
            Assert.Equal(Half.IsNegative(half), float.IsNegative(widened));
        }
        if (!Avx2.IsSupported) return;
        for (var start = 0; start < 65_536; start += 8)
        {
            var lanes = Enumerable.Range(start, 8).Select(bits => (short)bits).ToArray();
            var widened = HalfCards.Widen(Vector128.Create(lanes));
            for (var lane = 0; lane < 8; lane++)
                Assert.Equal(BitConverter.SingleToInt32Bits(HalfCards.WidenScalar(lanes[lane])), BitConverter.SingleToInt32Bits(widened[lane]));
        }
    }

    [Theory]
    [MemberData(nameof(CompressedScanTests.Shapes), MemberType = typeof(CompressedScanTests))]
    public void The_portable_kernel_gives_the_same_answers_and_bits(int n, int d, int m, int k)
    {
        var random = new Random(n * 11 + d);
        var cards = ScanCases.Matrix(n, d, () => (float)(random.NextDouble() * 2 - 1));
        var half = cards.Half!;
        var users = ScanCases.Values(m * d, () => (float)(random.NextDouble() * 2 - 1));
        var prepared = half.PrepareUsers(users, m)!;
        for (var block = 0; block < half.BlockCount; block += Math.Max(1, half.BlockCount / 50))
            AssertKernelsAgree(half, block, prepared);
        half.UsePortableKernel = true;
        foreach (var excluded in ScanCases.Exclusions(n)) AssertSame(cards, users, k, excluded);
    }

    [Fact]
    public void Both_kernels_take_the_max_in_the_same_order_even_between_zeros_of_two_signs()
    {
        // A card with a subnormal half (2^-38 beside 1) and a zero: user vector A = (−2^-140, −0, −0) ends
        // its chain at −0 (a product that underflows, then −0 + −0), vector B = (0, 0, 1) at +0. vmaxps
        // keeps its second operand on equal values, so the order decides the sign of the zero; a portable
        // kernel with MathF.Max (which prefers +0) would disagree here.
        var cards = new CardMatrix(["c"], [MathF.Pow(2, -38), 1f, 0f], 3);
        var half = cards.Half!;
        var a = new[] { -MathF.Pow(2, -140), -0f, -0f };
        var b = new[] { 0f, 0f, 1f };
        var bThenA = half.PrepareUsers([.. b, .. a], 2)!;
        AssertKernelsAgree(half, 0, bThenA);
        AssertKernelsAgree(half, 0, half.PrepareUsers([.. a, .. b], 2)!);
        half.ScoreBlock(0, bThenA, HalfCards.AbsoluteSlack(3), out var approximate, out _);
        Assert.True(float.IsNegative(approximate[0]) && approximate[0] == 0f, $"{approximate[0]}: the case does not reach a −0");
    }

    [Fact]
    public void User_vectors_the_bound_cannot_speak_for_are_refused_and_scanned_exactly()
    {
        var random = new Random(6);
        var cards = ScanCases.Matrix(300, 8, () => (float)(random.NextDouble() * 2 - 1));
        var half = cards.Half!;
        float[][] refused =
        [
            new float[16],                                                      // all zero
            [1e-20f, 0, 0, 0, 0, 0, 0, 0, 1e-19f, 0, 0, 0, 0, 0, 0, 0],         // the largest value of all below 2^-60
            [1e18f, 1e18f, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],           // ‖u‖₁ ≥ 2^60
            [float.NaN, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
            [float.NegativeInfinity, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
        ];
        foreach (var users in refused)
        {
            Assert.Null(half.PrepareUsers(users, 2));
            if (users.All(float.IsFinite)) AssertSame(cards, users, 10, null);
        }
        // One vector tiny and one of ordinary size: fine, the tiny one's products are covered by the slack.
        Assert.NotNull(half.PrepareUsers([1e-30f, 0, 0, 0, 0, 0, 0, 0, 1e-17f, 0, 0, 0, 0, 0, 0, 0], 2));
        AssertSame(cards, [1e-30f, 0, 0, 0, 0, 0, 0, 0, 1e-17f, 0, 0, 0, 0, 0, 0, 0], 10, null);
        AssertSame(cards, ScanCases.Values(16, () => 1e16f), 10, null); // large: P below 112
    }

    [Fact]
    public void The_fp16_copy_is_built_on_first_use_and_not_for_a_matrix_with_a_non_finite_value()
    {
        var random = new Random(8);
        var cards = ScanCases.Matrix(100, 64, () => (float)(random.NextDouble() * 2 - 1));
        Assert.Equal(2 * 64 + 8, cards.HalfBytesPerCard);
        Assert.Same(cards.Half, cards.Half);
        var broken = new CardMatrix(["a", "b", "c"], [1f, 0f, float.NaN, 1f, 0.5f, 0.5f], 2);
        Assert.Null(broken.Half);
        Assert.Equal(0, broken.HalfBytesPerCard);
        Assert.Throws<InvalidOperationException>(() => SetRetriever.CompressedTopK(broken, [1f, 0f], 2, compact: CompactCards.Fp16));
    }

    /// <summary>Both kernels give the same approximate scores and bounds, to the bit, for one block.</summary>
    private static void AssertKernelsAgree(HalfCards half, int block, HalfUsers users)
    {
        var slack = HalfCards.AbsoluteSlack(half.Dimension);
        half.UsePortableKernel = false;
        half.ScoreBlock(block, users, slack, out var approximate, out var bound);
        half.UsePortableKernel = true;
        half.ScoreBlock(block, users, slack, out var portable, out var portableBound);
        half.UsePortableKernel = false;
        Assert.Equal(approximate.AsInt32(), portable.AsInt32());
        Assert.Equal(bound.AsInt32(), portableBound.AsInt32());
    }

    /// <summary>Every card's and padding lane's exact score lies within its bound, with both kernels (which agree to the bit); returns the largest error / bound.</summary>
    private static double AssertBoundHolds(CardMatrix cards, float[] users, int m)
    {
        var half = cards.Half!;
        var prepared = half.PrepareUsers(users, m)!;
        var slack = HalfCards.AbsoluteSlack(cards.Dimension);
        var worst = 0.0;
        for (var block = 0; block < half.BlockCount; block++)
        {
            AssertKernelsAgree(half, block, prepared);
            half.ScoreBlock(block, prepared, slack, out var approximate, out var bound);
            for (var lane = 0; lane < HalfCards.Lanes; lane++)
            {
                var row = block * HalfCards.Lanes + lane;
                var exact = row < cards.Count ? SetRetriever.Score(cards.Row(row), users, m).Score : 0f;
                Assert.InRange(exact, approximate[lane] - bound[lane], approximate[lane] + bound[lane]);
                if (float.IsFinite(bound[lane])) worst = Math.Max(worst, Math.Abs(exact - approximate[lane]) / bound[lane]);
            }
        }
        return worst;
    }

    private static void AssertSame(CardMatrix cards, float[] users, int k, Func<int, bool>? excluded) =>
        ScanCases.AssertSame(cards, users, k, excluded, CompactCards.Fp16);
}

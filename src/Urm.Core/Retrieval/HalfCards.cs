using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Urm.Core.Retrieval;

/// <summary>
/// The fp16 compact copy of the cards, the other first pass <see cref="SetRetriever.CompressedTopK(CardMatrix, ReadOnlySpan{float}, int, Func{int, bool}?, int, CompactCards)"/>
/// can use (issue 13 asks for int8 and fp16 measured side by side; serving uses <see cref="QuantizedCards"/>).
/// Each card is stored as IEEE half values h with a per-card power-of-two scale σ_c (card ≈ σ_c·h, the
/// largest |h| in [2^14, 2^15], so the whole card sits in fp16's normal range down to 2^-28 of its largest
/// value), in blocks of 8 cards laid out [d][8 cards]: one 16-byte load holds dimension j of the 8 cards.
/// The kernel widens them to floats with integer instructions (.NET 10 has no F16C intrinsic): sign-extend
/// int16 to int32 (vpmovsxwd), shift left 13 (vpslld), clear bits 28..30 (vpand), which gives exactly
/// h·2^-112 as a float for every finite half, subnormals and zeros of either sign included (the half's
/// exponent field lands in the low five bits of the float's, its mantissa in the float's top ten). The
/// missing 2^112 is folded into the user vectors, so no multiply is spent on it. Per dimension and 8 cards:
/// one load-and-widen, one shift, one and, and one fused multiply-add per user vector.
/// Memory per card: 2d bytes + 4 (scale) + 4 (bound r) = 136 bytes at d = 64, against 76 for int8 and
/// 256 for the fp32 blocked copy.
/// </summary>
/// <remarks>
/// <para>The bound. Take one card c and one user vector u. Let S be the exact scan's score (the fp32
/// multiply-add chain over j = 0..d-1) and A the score computed here. Write ε = 2^-24,
/// γ_d = dε/(1 − dε), a = ‖c‖∞, ĉ = σ_c·h the card as stored, e = ‖c − ĉ‖∞ (measured exactly when
/// building, in double), â = ‖ĉ‖∞ ≤ a + e ≤ a(1 + 2^-11), and N ≥ ‖u‖₁. Every float operation here,
/// underflow included, gives fl(x) = x(1 + δ) + η with |δ| ≤ ε, |η| ≤ 2^-150; overflow is ruled out under
/// Range.</para>
/// <para>The request's vectors are scaled by a power of two, v = 2^P·u (<see cref="PrepareUsers"/>; exact,
/// P &gt; 0), and the stored values read as f_j = 2^-112·h_j, so f_j·v_j = ĉ_j·u_j / (σ_c·R) exactly, with
/// R = 2^(112 − P). The kernel sums acc = Σ_j f_j·v_j by the same fused multiply-add chain as the exact
/// scan, and A = fl(acc·σ_c·R); σ_c·R is a power of two, so that multiply is exact but for underflow.</para>
/// <para>Below, d ≤ 2^20 (<see cref="TryCreate"/>), so γ_d ≤ 1.07·dε ≤ 0.07.
/// (1) The exact chain's own rounding: |S − ⟨u,c⟩| ≤ γ_d·Σ|u_j c_j| + d·2^-150·(1 + γ_d) ≤ γ_d·a·N + d·2^-149.
/// (2) Rounding to fp16: |⟨u,c⟩ − ⟨u,ĉ⟩| ≤ e·‖u‖₁ ≤ e·N.
/// (3) The kernel's chain, scaled back: |σ_c·R·acc − ⟨u,ĉ⟩| ≤ γ_d·Σ|u_j ĉ_j| + σ_c·R·d·2^-150·(1 + γ_d) ≤ γ_d·â·N + σ_c·R·d·2^-149,
/// and the last multiply adds at most 2^-150.
/// So |S − A| ≤ e·N + γ_d·(a + â)·N + σ_c·R·d·2^-149 + (d + 1)·2^-149, and γ_d·(a + â) ≤ 2.15·d·ε·a.
/// Each card stores r = e + a·(4d + 16)·ε rounded up (the int8 copy's form), and the scan takes
/// b = r·N + slack (<see cref="AbsoluteSlack"/>). r·N exceeds the needed e·N + 2.15·d·ε·a·N by at least
/// (1.85d + 16)·ε·a·N, which covers the roundings of b itself and of A ± b (each ≤ ε·(|A| + b), about
/// ε·a·N), and also the scaled underflow term σ_c·R·d·2^-149: σ_c ≤ 2^-14·a, and N ≥ 2^(t−1) with
/// R = 2^max(0, t − 14) and t ≥ −59 (Range), so it is below 2^-79·d·ε·a·N. The unscaled absolute terms,
/// (d + 1)·2^-149, and the underflows of b and A ± b are covered by slack = (4d + 16)·2^-126.</para>
/// <para>Over the M user vectors: N is the largest ‖u_m‖₁ and each A_m has the bound b, so
/// |max_m S_m − max_m A_m| ≤ b. Since σ_c·R ≥ 0 and rounding is monotone, max_m fl(acc_m·σ_c·R) =
/// fl(max_m acc_m·σ_c·R): the kernel takes the max first. The AVX2 and portable kernels take the max in
/// the same order with vmaxps' rule (the second operand unless the first is greater), so they agree to the
/// bit even on the −0 an underflowing chain can end at.</para>
/// <para>Range. Cards whose largest value is outside [2^-60, 2^60] get an infinite bound (always re-scored,
/// never trusted), so σ_c ∈ [2^-74, 2^46]. <see cref="PrepareUsers"/> refuses user vectors with a
/// non-finite value, an ‖u_m‖₁ of 2^60 or more, or a largest value (over all M) below 2^-60, zero
/// included; the caller then scans exactly. With 2^(t−1) ≤ max|u| &lt; 2^t (−59 ≤ t ≤ 60), P =
/// min(112, 126 − t) ≥ 66, so |v| &lt; 2^126, |f_j·v_j| &lt; 2^29, R ≤ 2^46, σ_c·R ≤ 2^92, and the scores,
/// about â·N &lt; 2^121, do not overflow either.
/// A matrix with a non-finite value, or of more than 2^20 dimensions, gets no fp16 copy (<see cref="TryCreate"/> returns null).</para>
/// </remarks>
internal sealed class HalfCards
{
    /// <summary>Cards per block: one Vector256&lt;float&gt; of scores.</summary>
    public const int Lanes = 8;

    /// <summary>The exponent gap between fp32 (bias 127) and fp16 (bias 15): a half's bits widened by <see cref="Widen"/> read as 2^-112 times its value.</summary>
    public const int ExponentGap = 112;

    /// <summary>Covers the absolute errors of underflowing products and sums (≤ 2^-150 each, a few per dimension).</summary>
    public static float AbsoluteSlack(int dimension) => (4 * dimension + 16) * MathF.Pow(2, -126);

    private readonly short[] _values;  // [block][Dimension][Lanes]: the bits of h
    private readonly float[] _scales;  // [block × Lanes], σ_c; 0 for zero cards, out-of-range cards and padding
    private readonly float[] _bounds;  // [block × Lanes], r of each card (see remarks), 0 for padding

    private HalfCards(int count, int dimension)
    {
        Count = count;
        Dimension = dimension;
        BlockCount = (count + Lanes - 1) / Lanes;
        _values = new short[BlockCount * dimension * Lanes];
        _scales = new float[BlockCount * Lanes];
        _bounds = new float[BlockCount * Lanes];
    }

    public int Count { get; }
    public int Dimension { get; }
    public int BlockCount { get; }

    /// <summary>Bytes per card of this copy: fp16 values, scale and bound.</summary>
    public int BytesPerCard => 2 * Dimension + 2 * sizeof(float);

    /// <summary>
    /// Tests only: score blocks with the portable kernel even where AVX2 is there, to compare the two.
    /// Both run the same chains of fused multiply-adds and the same max, so they give the same bits.
    /// </summary>
    internal bool UsePortableKernel { get; set; }

    /// <summary>The fp16 copy of row-major cards, or null when a value is not finite (such a matrix is scanned exactly).</summary>
    public static HalfCards? TryCreate(ReadOnlySpan<float> rowMajor, int count, int dimension)
    {
        foreach (var value in rowMajor)
            if (!float.IsFinite(value)) return null;
        if (dimension > 1 << 20) return null; // the bound's constants are argued for d ≤ 2^20 (remarks)
        var copy = new HalfCards(count, dimension);
        var epsilon = Math.Pow(2, -24);
        for (var row = 0; row < count; row++)
        {
            var card = rowMajor.Slice(row * dimension, dimension);
            var largest = 0f;
            foreach (var value in card) largest = MathF.Max(largest, MathF.Abs(value));
            if (largest == 0f) continue; // a zero card: h = 0, scale 0, bound 0, and both scans score it exactly 0
            if (largest < MathF.Pow(2, -60) || largest > MathF.Pow(2, 60))
            {
                copy._bounds[row] = float.PositiveInfinity; // outside the range the bound is argued for
                continue;
            }
            // σ_c = 2^(⌊log2 a⌋ − 14): the largest value becomes [2^14, 2^15), well inside fp16's 65,504.
            var scale = MathF.ScaleB(1f, MathF.ILogB(largest) - 14);
            var error = 0.0;
            for (var j = 0; j < dimension; j++)
            {
                var half = (Half)(card[j] / (double)scale); // dividing by a power of two: exact in double
                copy._values[copy.Index(row, j)] = BitConverter.HalfToInt16Bits(half);
                // Exact in double: σ_c·h has 11 significant bits, and the difference is that of two nearby numbers.
                error = Math.Max(error, Math.Abs(card[j] - (double)scale * (double)half));
            }
            copy._scales[row] = scale;
            copy._bounds[row] = RoundUp(error + largest * (4.0 * dimension + 16) * epsilon);
        }
        return copy;
    }

    /// <summary>Where dimension j of row <paramref name="row"/> lives in the blocked values.</summary>
    private int Index(int row, int j) => ((row / Lanes) * Dimension + j) * Lanes + row % Lanes;

    /// <summary>
    /// The M user vectors (row-major [M, Dimension]) as <see cref="ScoreBlock"/> reads them: each value times
    /// 2^P, and N and R of the bound (remarks). Null when the bound has nothing to say about them (a
    /// non-finite value, ‖u_m‖₁ ≥ 2^60, or the largest value of all below 2^-60, zero included): the caller scans exactly.
    /// </summary>
    public HalfUsers? PrepareUsers(ReadOnlySpan<float> userVectors, int m)
    {
        var d = Dimension;
        var largest = 0f;
        var norm = 0.0;
        for (var slot = 0; slot < m; slot++)
        {
            var absolute = 0.0;
            foreach (var value in userVectors.Slice(slot * d, d))
            {
                if (!float.IsFinite(value)) return null;
                largest = MathF.Max(largest, MathF.Abs(value));
                absolute += Math.Abs(value);
            }
            if (absolute >= Math.Pow(2, 60)) return null;
            norm = Math.Max(norm, absolute);
        }
        if (largest < MathF.Pow(2, -60)) return null;
        var t = MathF.ILogB(largest) + 1;               // 2^(t−1) ≤ largest < 2^t, −59 ≤ t ≤ 60
        var power = Math.Min(ExponentGap, 126 - t);     // P: |v| < 2^126
        var up = MathF.ScaleB(1f, power);
        var values = new float[m * d];
        for (var i = 0; i < values.Length; i++) values[i] = userVectors[i] * up; // a power of two up: exact
        return new HalfUsers(m, values, RoundUp(norm * (1 + 1e-12)), MathF.ScaleB(1f, ExponentGap - power));
    }

    /// <summary>
    /// For block <paramref name="block"/>, lane l: the approximate score A of row block × 8 + l, max over
    /// the M user vectors, and its bound b = r·N + <paramref name="slack"/> (remarks): the exact score lies in
    /// [A − b, A + b]. Padding lanes score 0 with bound <paramref name="slack"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as CardBlocks.ScoreBlock, and for the same reason
    public void ScoreBlock(int block, HalfUsers users, float slack, out Vector256<float> approximate, out Vector256<float> bound)
    {
        if ((uint)block >= (uint)BlockCount) throw new ArgumentOutOfRangeException(nameof(block));
        if (users.Count < 1 || users.Values.Length < users.Count * Dimension)
            throw new ArgumentException($"The user vectors were not prepared for cards of {Dimension} values.", nameof(users));
        var best = Avx2.IsSupported && Fma.IsSupported && !UsePortableKernel ? BestAvx2(block, users) : BestPortable(block, users);
        // σ_c·R is an exact power of two (or 0): one rounding at most, and only on underflow.
        var at = block * Lanes;
        approximate = best * (Vector256.LoadUnsafe(ref _scales[at]) * Vector256.Create(users.Rescale));
        bound = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref _bounds[at]), Vector256.Create(users.Norm), Vector256.Create(slack));
    }

    /// <summary>Eight halves' bits (int16) as 8 floats, each exactly 2^-112 times the half's value: vpmovsxwd, vpslld, vpand.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Widen(Vector128<short> halves)
    {
        // Sign-extended and shifted, bit 31 is the sign and bits 28..30 are copies of it; clearing those
        // leaves the half's exponent in the float exponent's low five bits and its mantissa on top of the float's.
        var shifted = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(halves), 13);
        return Avx2.And(shifted, Vector256.Create(unchecked((int)0x8FFF_E000))).AsSingle();
    }

    /// <summary><see cref="Widen"/> for one half, without intrinsics: the same bits.</summary>
    internal static float WidenScalar(short half) => BitConverter.Int32BitsToSingle((half << 13) & unchecked((int)0x8FFF_E000));

    /// <summary>Lane l: max over m of acc_m, the fused multiply-add chain of the lane's card against v_m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> BestAvx2(int block, HalfUsers users)
    {
        var d = Dimension;
        var m = users.Count;
        ref var cards = ref _values[block * d * Lanes];
        ref var first = ref MemoryMarshal.GetArrayDataReference(users.Values);
        var best = Vector256.Create(float.NegativeInfinity);
        // Four user vectors at a time, as CardBlocks.ScoreBlock: each widened card vector serves four
        // independent chains. A short last group repeats its last vector, harmless for a max.
        for (var group = 0; group < m; group += 4)
        {
            int s0 = group, s1 = Math.Min(group + 1, m - 1), s2 = Math.Min(group + 2, m - 1), s3 = Math.Min(group + 3, m - 1);
            ref var u0 = ref Unsafe.Add(ref first, s0 * d);
            ref var u1 = ref Unsafe.Add(ref first, s1 * d);
            ref var u2 = ref Unsafe.Add(ref first, s2 * d);
            ref var u3 = ref Unsafe.Add(ref first, s3 * d);
            Vector256<float> a0 = Vector256<float>.Zero, a1 = Vector256<float>.Zero, a2 = Vector256<float>.Zero, a3 = Vector256<float>.Zero;
            for (var j = 0; j < d; j++)
            {
                var c = Widen(Vector128.LoadUnsafe(ref cards, (nuint)(j * Lanes)));
                a0 = Vector256.FusedMultiplyAdd(c, Vector256.Create(Unsafe.Add(ref u0, j)), a0);
                a1 = Vector256.FusedMultiplyAdd(c, Vector256.Create(Unsafe.Add(ref u1, j)), a1);
                a2 = Vector256.FusedMultiplyAdd(c, Vector256.Create(Unsafe.Add(ref u2, j)), a2);
                a3 = Vector256.FusedMultiplyAdd(c, Vector256.Create(Unsafe.Add(ref u3, j)), a3);
            }
            best = Avx.Max(best, Avx.Max(Avx.Max(a0, a1), Avx.Max(a2, a3)));
        }
        return best;
    }

    /// <summary>
    /// The same chains as <see cref="BestAvx2"/> one lane at a time, for machines without AVX2, and the same
    /// max tree with vmaxps' rule: the same bits.
    /// </summary>
    private Vector256<float> BestPortable(int block, HalfUsers users)
    {
        var d = Dimension;
        var m = users.Count;
        Span<float> best = stackalloc float[Lanes];
        Span<float> sums = stackalloc float[4];
        for (var lane = 0; lane < Lanes; lane++)
        {
            var row = block * Lanes + lane;
            best[lane] = float.NegativeInfinity;
            for (var group = 0; group < m; group += 4)
            {
                for (var i = 0; i < 4; i++)
                {
                    var user = users.Values.AsSpan(Math.Min(group + i, m - 1) * d, d);
                    var sum = 0f;
                    for (var j = 0; j < d; j++) sum = MathF.FusedMultiplyAdd(WidenScalar(_values[Index(row, j)]), user[j], sum);
                    sums[i] = sum;
                }
                best[lane] = MaxAsVmaxps(best[lane], MaxAsVmaxps(MaxAsVmaxps(sums[0], sums[1]), MaxAsVmaxps(sums[2], sums[3])));
            }
        }
        return Vector256.Create<float>(best);
    }

    /// <summary>vmaxps on one lane: the first operand when it is greater, else the second (so max(−0, +0) = +0 but max(+0, −0) = −0).</summary>
    private static float MaxAsVmaxps(float first, float second) => first > second ? first : second;

    /// <summary>The smallest float at or above a non-negative double.</summary>
    private static float RoundUp(double value)
    {
        var rounded = (float)value;
        return rounded >= value ? rounded : MathF.BitIncrement(rounded);
    }
}

/// <summary>
/// One request's M user vectors as <see cref="HalfCards.ScoreBlock"/> reads them. Made by <see cref="HalfCards.PrepareUsers"/>.
/// </summary>
/// <param name="Count">M.</param>
/// <param name="Values">[M][Dimension]: v_m = 2^P·u_m, exact (the 2^112 the widened halves lack, less what keeps |v| below 2^126).</param>
/// <param name="Norm">N = max_m ‖u_m‖₁, rounded up.</param>
/// <param name="Rescale">R = 2^(112 − P): the kernel's sums times σ_c·R are the scores.</param>
internal sealed record HalfUsers(int Count, float[] Values, float Norm, float Rescale);

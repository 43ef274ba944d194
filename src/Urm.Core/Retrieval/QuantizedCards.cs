using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Urm.Core.Retrieval;

/// <summary>
/// A compact copy of the cards for the first pass of <see cref="SetRetriever"/>'s scan: each card as
/// int8 values q with a per-card scale s_c (card ≈ s_c·q, s_c = max|c_j| / 127), in blocks of 8 cards
/// laid out [d/2][8 cards][2 dims] (d padded to a multiple of 4), plus two per-card numbers for the error
/// bound. The request's user vectors are quantised too, to int16 (<see cref="QuantizeUsers"/>), so a
/// block's scores are integer sums: one 16-byte load sign-extended to int16 holds two dimensions of the
/// 8 cards, and one vpmaddwd per user vector multiplies and adds both into 8 int32 lanes, one per card.
/// Memory per card: d bytes + 4 (scale) + 4 (bound r) + 4 (‖c‖₁) = 76 bytes at d = 64, against 256 for
/// the fp32 blocked copy.
/// </summary>
/// <remarks>
/// <para>The bound. Take one card c and one user vector u (the max over the M vectors is handled at the
/// end). Let S be the exact scan's score (the fp32 multiply-add chain over j = 0..d-1) and A the score
/// computed here. The card is c = s_c·q + f with |q_j| ≤ 127 and e = ‖f‖∞ (measured per card, after
/// rounding), a = max_j |c_j|; the user vector is u = s·û + g with û int16, |û_j| ≤ U
/// (<see cref="UserLimit"/>), and E ≥ ‖g‖∞ (measured per request, ≤ s/2 up to rounding). Write
/// ε = 2^-24, γ_d = dε/(1 − dε) (the usual bound of a d-term float sum) and N ≥ max(‖u‖₁, ‖s·û‖₁).</para>
/// <para>(1) The exact chain's own rounding: |S − ⟨u,c⟩| ≤ γ_d·Σ|u_j c_j| ≤ γ_d·a·N.
/// (2) Quantisation of both sides: ⟨u,c⟩ − s·s_c·⟨û,q⟩ = ⟨g, c⟩ + s·⟨û, f⟩, so
/// |⟨u,c⟩ − s·s_c·⟨û,q⟩| ≤ E·‖c‖₁ + e·‖s·û‖₁ ≤ E·‖c‖₁ + e·N. The first term is the user vectors' share:
/// a user vector with one large value and many small ones (each rounded by almost s/2) against a card
/// whose values have those errors' signs collects it in full, and no multiple of N covers it.
/// (3) acc = ⟨û,q⟩ is summed in int32 without error: |acc| ≤ d·127·U &lt; 2^31 by the choice of U.
/// (4) A = fl(fl(fl(acc)·s)·s_c), three roundings (the conversion is exact below 2^24), so
/// |A − s·s_c·acc| ≤ ((1+ε)³ − 1)·s·s_c·Σ|û_j||q_j| ≤ 3.1ε·(127·s_c)·‖s·û‖₁ ≤ 3.2ε·a·N.
/// So |S − A| ≤ E·‖c‖₁ + N·(e + a·(γ_d + 3.2ε)). Each card stores r = e + a·(4d + 16)·ε and
/// ‖c‖₁, both rounded up, and the scan takes b = r·N + ‖c‖₁·E + slack. r·N exceeds the needed
/// N·(e + a·(γ_d + 3.2ε)) by at least (2d + 12)·ε·a·N, which covers the roundings of b itself (each ≤ ε
/// of a term, and ‖c‖₁·E ≤ d·a·N/127) and of A ± b (each ≤ ε·(|A| + b), about ε·a·N).</para>
/// <para>Over the M user vectors: with N and E the largest over m, each A_m has the bound b, and
/// |max_m S_m − max_m A_m| ≤ max_m |S_m − A_m| ≤ b. Since s_c ≥ 0 and rounding is monotone,
/// max_m fl(x_m·s_c) = fl(max_m x_m·s_c): the kernel takes the max before the last multiply.</para>
/// <para>Range. Underflow adds absolute errors of at most 2^-149 per operation, covered by
/// <see cref="AbsoluteSlack"/>. Cards whose largest value is outside [2^-60, 2^60] get an infinite bound
/// (always re-scored, never trusted); <see cref="QuantizeUsers"/> refuses user vectors with a non-zero
/// largest value below 2^-60, an ‖u‖₁ of 2^60 or more, a non-finite value, or none non-zero, and the
/// caller then scans exactly. Within those ranges no score or bound overflows, and s ≥ 2^-75 is normal.
/// A matrix with a non-finite value gets no compact copy (<see cref="TryCreate"/> returns null).</para>
/// </remarks>
internal sealed class QuantizedCards
{
    /// <summary>Cards per block: one Vector256&lt;int&gt; of sums.</summary>
    public const int Lanes = 8;

    /// <summary>Covers the absolute errors of underflowing products and sums (≤ 2^-149 each, a few per dimension).</summary>
    public static float AbsoluteSlack(int dimension) => (4 * dimension + 16) * MathF.Pow(2, -126);

    private readonly sbyte[] _values;   // [block][PaddedDimension / 2][Lanes][2]
    private readonly float[] _scales;   // [block × Lanes], 0 for zero cards and padding
    private readonly float[] _bounds;   // [block × Lanes], r of each card (see remarks), 0 for padding
    private readonly float[] _norms;    // [block × Lanes], ‖c‖₁ rounded up, 0 for padding

    private QuantizedCards(int count, int dimension)
    {
        Count = count;
        Dimension = dimension;
        PaddedDimension = (dimension + 3) / 4 * 4;
        BlockCount = (count + Lanes - 1) / Lanes;
        // Largest |û_j| such that a d-term sum of int8 × int16 products fits in int32 (32,767 up to d = 516).
        UserLimit = (int)Math.Min(short.MaxValue, int.MaxValue / (127L * PaddedDimension));
        _values = new sbyte[BlockCount * PaddedDimension * Lanes];
        _scales = new float[BlockCount * Lanes];
        _bounds = new float[BlockCount * Lanes];
        _norms = new float[BlockCount * Lanes];
    }

    public int Count { get; }
    public int Dimension { get; }
    public int PaddedDimension { get; }
    public int BlockCount { get; }

    /// <summary>U: user vectors are quantised to int16 values in [−U, U].</summary>
    public int UserLimit { get; }

    /// <summary>Bytes per card of this copy: int8 values (d padded to a multiple of 4), scale, bound and ‖c‖₁.</summary>
    public int BytesPerCard => PaddedDimension + 3 * sizeof(float);

    /// <summary>
    /// Tests only: score blocks with the portable kernel even where AVX2 is there, to compare the two.
    /// Both sum integers, so they give the same bits.
    /// </summary>
    internal bool UsePortableKernel { get; set; }

    /// <summary>The compact copy of row-major cards, or null when a value is not finite (such a matrix is scanned exactly).</summary>
    public static QuantizedCards? TryCreate(ReadOnlySpan<float> rowMajor, int count, int dimension)
    {
        foreach (var value in rowMajor)
            if (!float.IsFinite(value)) return null;
        var copy = new QuantizedCards(count, dimension);
        var epsilon = Math.Pow(2, -24);
        for (var row = 0; row < count; row++)
        {
            var card = rowMajor.Slice(row * dimension, dimension);
            var largest = 0f;
            var norm = 0.0;
            foreach (var value in card)
            {
                largest = MathF.Max(largest, MathF.Abs(value));
                norm += Math.Abs(value);
            }
            if (largest == 0f) continue; // a zero card: q = 0, scale 0, bounds 0, and both scans score it exactly 0
            copy._norms[row] = RoundUp(norm * (1 + 1e-12));
            if (largest < MathF.Pow(2, -60) || largest > MathF.Pow(2, 60))
            {
                copy._bounds[row] = float.PositiveInfinity; // outside the range the relative bound is argued for
                continue;
            }
            var scale = largest / 127f;
            var error = 0.0;
            for (var j = 0; j < dimension; j++)
            {
                var q = (sbyte)Math.Clamp(MathF.Round(card[j] / scale), -127, 127);
                copy._values[copy.Index(row, j)] = q;
                error = Math.Max(error, Math.Abs(card[j] - (double)scale * q));
            }
            copy._scales[row] = scale;
            copy._bounds[row] = RoundUp(error + largest * (4.0 * dimension + 16) * epsilon);
        }
        return copy;
    }

    /// <summary>Where dimension j of row <paramref name="row"/> lives in the blocked int8 values.</summary>
    private int Index(int row, int j) => (row / Lanes) * PaddedDimension * Lanes + j / 2 * (2 * Lanes) + row % Lanes * 2 + j % 2;

    /// <summary>
    /// The M user vectors (row-major [M, Dimension]) quantised for <see cref="ScoreBlock"/>: û_m = round(u_m / s_m)
    /// with s_m = max_j |u_mj| / U, and N and E of the bound (remarks). Null when the bound has nothing to say
    /// about them (a non-finite value, a non-zero vector whose largest value is below 2^-60, ‖u_m‖₁ ≥ 2^60, or
    /// all vectors zero): the caller scans exactly.
    /// </summary>
    public QuantizedUsers? QuantizeUsers(ReadOnlySpan<float> userVectors, int m)
    {
        var d = Dimension;
        var padded = PaddedDimension;
        var values = new short[m * padded];
        var scales = new float[m];
        double norm = 0, error = 0;
        var limit = UserLimit;
        for (var slot = 0; slot < m; slot++)
        {
            var user = userVectors.Slice(slot * d, d);
            var largest = 0f;
            var absolute = 0.0;
            foreach (var value in user)
            {
                if (!float.IsFinite(value)) return null;
                largest = MathF.Max(largest, MathF.Abs(value));
                absolute += Math.Abs(value);
            }
            if (largest == 0f) continue; // û = 0, s = 0: scores exactly 0 here as in the exact scan
            if (largest < MathF.Pow(2, -60) || absolute >= Math.Pow(2, 60)) return null;
            var scale = largest / limit;
            long quantised = 0;
            for (var j = 0; j < d; j++)
            {
                var q = (short)Math.Clamp(MathF.Round(user[j] / scale), -limit, limit);
                values[slot * padded + j] = q;
                quantised += Math.Abs(q);
                error = Math.Max(error, Math.Abs(user[j] - (double)scale * q));
            }
            scales[slot] = scale;
            norm = Math.Max(norm, Math.Max(absolute, (double)scale * quantised));
        }
        if (norm == 0) return null;
        var pairs = new Vector256<short>[m * padded / 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            var pair = (ushort)values[2 * i] | (values[2 * i + 1] << 16);
            pairs[i] = Vector256.Create(pair).AsInt16();
        }
        return new QuantizedUsers(m, values, pairs, scales, RoundUp(norm * (1 + 1e-12)), RoundUp(error * (1 + 1e-12)));
    }

    /// <summary>
    /// For block <paramref name="block"/>, lane l: the approximate score A of row block × 8 + l, max over
    /// the M user vectors, and its bound b = r·N + ‖c‖₁·E + <paramref name="slack"/> (remarks): the exact score
    /// lies in [A − b, A + b]. Padding lanes score 0 with bound <paramref name="slack"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as CardBlocks.ScoreBlock, and for the same reason
    public void ScoreBlock(int block, QuantizedUsers users, float slack, out Vector256<float> approximate, out Vector256<float> bound)
    {
        if ((uint)block >= (uint)BlockCount) throw new ArgumentOutOfRangeException(nameof(block));
        var m = users.Count;
        if (m < 1 || users.Pairs.Length < m * PaddedDimension / 2 || users.Values.Length < m * PaddedDimension || users.Scales.Length < m)
            throw new ArgumentException($"The user vectors were not quantised for cards of {PaddedDimension} padded values.", nameof(users));
        var best = Avx2.IsSupported && !UsePortableKernel ? BestAvx2(block, users) : BestPortable(block, users);
        // s_c ≥ 0, so max_m (s_c·x_m) = s_c·max_m x_m: one multiply per block, not per user vector.
        var at = block * Lanes;
        approximate = best * Vector256.LoadUnsafe(ref _scales[at]);
        bound = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref _bounds[at]), Vector256.Create(users.Norm),
            Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref _norms[at]), Vector256.Create(users.Error), Vector256.Create(slack)));
    }

    /// <summary>Lane l: max over m of fl(fl(acc_m)·s_m), acc_m = ⟨û_m, q⟩ of the lane's card, by vpmaddwd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> BestAvx2(int block, QuantizedUsers users)
    {
        var d = PaddedDimension;
        var pairs = d / 2;
        var m = users.Count;
        ref var cards = ref _values[block * d * Lanes];
        ref var first = ref MemoryMarshal.GetArrayDataReference(users.Pairs);
        var best = Vector256.Create(float.NegativeInfinity);
        // Four user vectors at a time: each card load (sign-extended once) serves four vpmaddwd, and four
        // independent sums keep both multiply pipes busy. A short last group repeats its last vector,
        // harmless for a max.
        for (var group = 0; group < m; group += 4)
        {
            int s0 = group, s1 = Math.Min(group + 1, m - 1), s2 = Math.Min(group + 2, m - 1), s3 = Math.Min(group + 3, m - 1);
            ref var u0 = ref Unsafe.Add(ref first, s0 * pairs);
            ref var u1 = ref Unsafe.Add(ref first, s1 * pairs);
            ref var u2 = ref Unsafe.Add(ref first, s2 * pairs);
            ref var u3 = ref Unsafe.Add(ref first, s3 * pairs);
            Vector256<int> a0 = Vector256<int>.Zero, a1 = Vector256<int>.Zero, a2 = Vector256<int>.Zero, a3 = Vector256<int>.Zero;
            for (var p = 0; p < pairs; p += 2)
            {
                // Dimensions 2p, 2p+1 and 2p+2, 2p+3 of the 8 cards, as int16.
                var c0 = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref cards, (nuint)(p * 2 * Lanes)));
                var c1 = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref cards, (nuint)((p + 1) * 2 * Lanes)));
                a0 = Avx2.Add(a0, Avx2.Add(Avx2.MultiplyAddAdjacent(c0, Unsafe.Add(ref u0, p)), Avx2.MultiplyAddAdjacent(c1, Unsafe.Add(ref u0, p + 1))));
                a1 = Avx2.Add(a1, Avx2.Add(Avx2.MultiplyAddAdjacent(c0, Unsafe.Add(ref u1, p)), Avx2.MultiplyAddAdjacent(c1, Unsafe.Add(ref u1, p + 1))));
                a2 = Avx2.Add(a2, Avx2.Add(Avx2.MultiplyAddAdjacent(c0, Unsafe.Add(ref u2, p)), Avx2.MultiplyAddAdjacent(c1, Unsafe.Add(ref u2, p + 1))));
                a3 = Avx2.Add(a3, Avx2.Add(Avx2.MultiplyAddAdjacent(c0, Unsafe.Add(ref u3, p)), Avx2.MultiplyAddAdjacent(c1, Unsafe.Add(ref u3, p + 1))));
            }
            var x0 = Avx.ConvertToVector256Single(a0) * Vector256.Create(users.Scales[s0]);
            var x1 = Avx.ConvertToVector256Single(a1) * Vector256.Create(users.Scales[s1]);
            var x2 = Avx.ConvertToVector256Single(a2) * Vector256.Create(users.Scales[s2]);
            var x3 = Avx.ConvertToVector256Single(a3) * Vector256.Create(users.Scales[s3]);
            // vmaxps: no NaN and no −0 can occur here (|x| ≥ 2^-75 when not +0), so it agrees with MathF.Max.
            best = Avx.Max(best, Avx.Max(Avx.Max(x0, x1), Avx.Max(x2, x3)));
        }
        return best;
    }

    /// <summary>The same sums as <see cref="BestAvx2"/> one lane at a time, for machines without AVX2: integers, so the same bits.</summary>
    private Vector256<float> BestPortable(int block, QuantizedUsers users)
    {
        var d = PaddedDimension;
        Span<float> best = stackalloc float[Lanes];
        for (var lane = 0; lane < Lanes; lane++)
        {
            var row = block * Lanes + lane;
            best[lane] = float.NegativeInfinity;
            for (var slot = 0; slot < users.Count; slot++)
            {
                var user = users.Values.AsSpan(slot * d, d);
                var sum = 0;
                for (var j = 0; j < d; j++) sum += _values[Index(row, j)] * user[j];
                best[lane] = MathF.Max(best[lane], sum * users.Scales[slot]);
            }
        }
        return Vector256.Create<float>(best);
    }

    /// <summary>The smallest float at or above a non-negative double.</summary>
    private static float RoundUp(double value)
    {
        var rounded = (float)value;
        return rounded >= value ? rounded : MathF.BitIncrement(rounded);
    }
}

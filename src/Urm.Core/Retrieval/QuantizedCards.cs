using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Urm.Core.Retrieval;

/// <summary>
/// A compact copy of the cards for the first pass of <see cref="SetRetriever"/>'s scan: each card as
/// int8 values q with a per-card scale s (card ≈ s·q, s = max|c_j| / 127), blocked and transposed like
/// <see cref="CardBlocks"/> ([d][8] per block of 8 cards, d padded to a multiple of 4), plus a per-card
/// error bound r. Memory per card: d bytes + 4 (scale) + 4 (bound) = 72 bytes at d = 64, against 256
/// for the fp32 blocked copy, so a scan streams a quarter of the bytes.
/// </summary>
/// <remarks>
/// <para>The bound. For a user vector u, let S be the exact scan's score of a card c (the fp32
/// multiply-add chain over j = 0..d-1) and A the score computed here (the fp32 multiply-add chain of
/// q_j·u_j, then times s). With e = max_j |c_j − s·q_j| (measured per card, after rounding),
/// a = max_j |c_j|, ε = 2^-24 and γ_d = dε/(1 − dε) (the usual bound of a d-term float sum):
/// |S − ⟨u,c⟩| ≤ γ_d·a·‖u‖₁ (the exact chain's own rounding);
/// |⟨u,c⟩ − s·⟨u,q⟩| = |⟨u, c − s·q⟩| ≤ e·‖u‖₁ (quantisation);
/// |s·acc − s·⟨u,q⟩| ≤ s·γ_d·127·‖u‖₁ ≤ γ_d·a·(1+ε)·‖u‖₁ (this chain's rounding, |q_j| ≤ 127);
/// |A − s·acc| ≤ ε·a·(1+γ_d)·‖u‖₁ (the final multiply).
/// So |S − A| ≤ ‖u‖₁·(e + a·(2γ_d + 2ε)(1 + small)). The stored bound r = e + a·(4d + 16)·ε is more
/// than that with room for the few roundings of A ± r·‖u‖₁ themselves (each ≤ ε of a value below
/// 2a‖u‖₁), and r is rounded up when stored. Taking the max over the M user vectors on both sides keeps
/// the bound with ‖u‖₁ replaced by the largest ‖u_m‖₁ (|max x − max y| ≤ max |x − y|). Underflow adds
/// absolute errors of at most 2^-149 per operation, covered by <see cref="AbsoluteSlack"/>. Cards
/// whose largest value is outside [2^-60, 2^60] get an infinite bound: always re-scored, never trusted.</para>
/// <para>A matrix with a non-finite value gets no compact copy (<see cref="TryCreate"/> returns null) and
/// is scanned exactly.</para>
/// </remarks>
internal sealed class QuantizedCards
{
    /// <summary>Cards per block: one Vector256&lt;float&gt; of scores.</summary>
    public const int Lanes = 8;

    /// <summary>Covers the absolute errors of underflowing products and sums (≤ 2^-149 each, a few per dimension).</summary>
    public static float AbsoluteSlack(int dimension) => (4 * dimension + 16) * MathF.Pow(2, -126);

    private readonly sbyte[] _values;   // [block][paddedD][Lanes]
    private readonly float[] _scales;   // [block × Lanes], 0 for zero cards and padding
    private readonly float[] _bounds;   // [block × Lanes], r of each card (see remarks), 0 for padding

    private QuantizedCards(int count, int dimension)
    {
        Count = count;
        Dimension = dimension;
        PaddedDimension = (dimension + 3) / 4 * 4;
        BlockCount = (count + Lanes - 1) / Lanes;
        _values = new sbyte[BlockCount * PaddedDimension * Lanes];
        _scales = new float[BlockCount * Lanes];
        _bounds = new float[BlockCount * Lanes];
    }

    public int Count { get; }
    public int Dimension { get; }
    public int PaddedDimension { get; }
    public int BlockCount { get; }

    /// <summary>Bytes per card of this copy: int8 values (d padded to a multiple of 4), scale and bound.</summary>
    public int BytesPerCard => PaddedDimension + 2 * sizeof(float);

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
            var block = row / Lanes;
            var lane = row % Lanes;
            var start = block * copy.PaddedDimension * Lanes + lane;
            var largest = 0f;
            foreach (var value in card) largest = MathF.Max(largest, MathF.Abs(value));
            if (largest == 0f) continue; // a zero card: q = 0, scale 0, bound 0, and both scans score it exactly 0
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
                copy._values[start + j * Lanes] = q;
                error = Math.Max(error, Math.Abs(card[j] - (double)scale * q));
            }
            copy._scales[row] = scale;
            var bound = error + largest * (4.0 * dimension + 16) * epsilon;
            copy._bounds[row] = RoundUp(bound);
        }
        return copy;
    }

    /// <summary>
    /// The M user vectors (row-major [M, Dimension]) as ScoreBlock reads them: each value already
    /// broadcast to a vector, [M, PaddedDimension], zero beyond Dimension. Broadcasting once per request
    /// instead of once per block takes 16 of about 46 instructions out of the kernel's inner step.
    /// </summary>
    public Vector256<float>[] BroadcastUsers(ReadOnlySpan<float> userVectors, int m)
    {
        var users = new Vector256<float>[m * PaddedDimension];
        for (var slot = 0; slot < m; slot++)
            for (var j = 0; j < Dimension; j++)
                users[slot * PaddedDimension + j] = Vector256.Create(userVectors[slot * Dimension + j]);
        return users;
    }

    /// <summary>
    /// For block <paramref name="block"/>, lane l: the approximate score A of row block × 8 + l, max over
    /// the M user vectors (from <see cref="BroadcastUsers"/>), and its bound r times
    /// <paramref name="userNorm"/> (the largest ‖u_m‖₁, rounded up) plus the absolute slack: the exact
    /// score lies in [A − bound, A + bound]. Padding lanes score 0 with bound <paramref name="slack"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as CardBlocks.ScoreBlock, and for the same reason
    public void ScoreBlock(int block, ReadOnlySpan<Vector256<float>> paddedUsers, int m, float userNorm, float slack, out Vector256<float> approximate, out Vector256<float> bound)
    {
        var d = PaddedDimension;
        if ((uint)block >= (uint)BlockCount) throw new ArgumentOutOfRangeException(nameof(block));
        if (m < 1 || paddedUsers.Length < m * d) throw new ArgumentException($"{m} user vectors of {d} values need {m * d} vectors, not {paddedUsers.Length}.", nameof(paddedUsers));
        ref var cards = ref Unsafe.As<sbyte, Vector256<sbyte>>(ref _values[block * d * Lanes]);
        ref var first = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(paddedUsers);
        var best = Vector256.Create(float.NegativeInfinity);
        // Four user vectors at a time, as CardBlocks does; a short last group repeats its last vector,
        // harmless for a max. One 32-byte load holds four dimensions of the block's eight cards.
        for (var group = 0; group < m; group += 4)
        {
            ref var u0 = ref Unsafe.Add(ref first, group * d);
            ref var u1 = ref Unsafe.Add(ref first, Math.Min(group + 1, m - 1) * d);
            ref var u2 = ref Unsafe.Add(ref first, Math.Min(group + 2, m - 1) * d);
            ref var u3 = ref Unsafe.Add(ref first, Math.Min(group + 3, m - 1) * d);
            Vector256<float> a0 = Vector256<float>.Zero, a1 = Vector256<float>.Zero, a2 = Vector256<float>.Zero, a3 = Vector256<float>.Zero;
            for (var j = 0; j < d; j += 4)
            {
                var bytes = Unsafe.Add(ref cards, j / 4);
                var (low, high) = Vector256.Widen(bytes);       // dimensions j, j+1 | j+2, j+3 as shorts
                var (c0, c1) = Vector256.Widen(low);
                var (c2, c3) = Vector256.Widen(high);
                Step(Vector256.ConvertToSingle(c0), j, ref u0, ref u1, ref u2, ref u3, ref a0, ref a1, ref a2, ref a3);
                Step(Vector256.ConvertToSingle(c1), j + 1, ref u0, ref u1, ref u2, ref u3, ref a0, ref a1, ref a2, ref a3);
                Step(Vector256.ConvertToSingle(c2), j + 2, ref u0, ref u1, ref u2, ref u3, ref a0, ref a1, ref a2, ref a3);
                Step(Vector256.ConvertToSingle(c3), j + 3, ref u0, ref u1, ref u2, ref u3, ref a0, ref a1, ref a2, ref a3);
            }
            best = Vector256.Max(best, Vector256.Max(Vector256.Max(a0, a1), Vector256.Max(a2, a3)));
        }
        // s ≥ 0, so max_m (s·acc_m) = s·max_m acc_m: one multiply per block, not per user vector.
        var at = block * Lanes;
        approximate = best * Vector256.LoadUnsafe(ref _scales[at]);
        bound = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref _bounds[at]), Vector256.Create(userNorm), Vector256.Create(slack));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(Vector256<float> c, int j, ref Vector256<float> u0, ref Vector256<float> u1, ref Vector256<float> u2, ref Vector256<float> u3,
        ref Vector256<float> a0, ref Vector256<float> a1, ref Vector256<float> a2, ref Vector256<float> a3)
    {
        a0 = Vector256.FusedMultiplyAdd(c, Unsafe.Add(ref u0, j), a0);
        a1 = Vector256.FusedMultiplyAdd(c, Unsafe.Add(ref u1, j), a1);
        a2 = Vector256.FusedMultiplyAdd(c, Unsafe.Add(ref u2, j), a2);
        a3 = Vector256.FusedMultiplyAdd(c, Unsafe.Add(ref u3, j), a3);
    }

    /// <summary>The smallest float at or above a non-negative double.</summary>
    private static float RoundUp(double value)
    {
        var rounded = (float)value;
        return rounded >= value ? rounded : MathF.BitIncrement(rounded);
    }
}

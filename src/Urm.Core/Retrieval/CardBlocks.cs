using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Urm.Core.Retrieval;

/// <summary>
/// The card matrix again, blocked and transposed for the scan: blocks of <see cref="Lanes"/>
/// (= Vector&lt;float&gt;.Count) consecutive rows, each block laid out [d][lanes], the last block padded
/// with zero cards. One Vector&lt;float&gt; load then holds dimension j of lanes-many cards, so a block
/// is scored against a user vector with one broadcast and one fused multiply-add per dimension and no
/// horizontal sum. Costs a second copy of the cards (n × d × 4 bytes: 25.6 MB at 100,000 × 64).
/// </summary>
internal sealed class CardBlocks
{
    public static int Lanes => Vector<float>.Count;

    private readonly float[] _values;

    public CardBlocks(ReadOnlySpan<float> rowMajor, int count, int dimension)
    {
        Count = count;
        Dimension = dimension;
        BlockCount = (count + Lanes - 1) / Lanes;
        _values = new float[BlockCount * dimension * Lanes];
        for (var row = 0; row < count; row++)
        {
            var block = row / Lanes;
            var lane = row % Lanes;
            var card = rowMajor.Slice(row * dimension, dimension);
            var start = block * dimension * Lanes + lane;
            for (var j = 0; j < dimension; j++) _values[start + j * Lanes] = card[j];
        }
    }

    public int Count { get; }
    public int Dimension { get; }
    public int BlockCount { get; }

    /// <summary>
    /// Lane l of the result is the score of row block × Lanes + l: the max over the M user vectors
    /// (row-major [M, d]) of the inner product, and which vector gave it (the first on a tie). Each inner
    /// product is summed over j = 0..d-1 in order, one rounding per fused multiply-add, exactly as
    /// <see cref="SetRetriever.Score"/> does it, so both give the same bits. Padding lanes score 0.
    /// </summary>
    // Optimised from the first call: the tiered JIT's first tier runs this loop about ten times slower
    // (measured: 0.65 ms instead of 0.06 ms for 10,000 × 32), for a process's first 100 ms or more,
    // which is exactly when a freshly started Functions instance answers its first requests.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ScoreBlock(int block, ReadOnlySpan<float> users, int m, out Vector<float> best, out Vector<int> interest)
    {
        var d = Dimension;
        // The loop below reads through refs without bounds checks; these two checks make that safe.
        if ((uint)block >= (uint)BlockCount) throw new ArgumentOutOfRangeException(nameof(block));
        if (m < 1 || users.Length < m * d) throw new ArgumentException($"{m} user vectors of {d} values need {m * d} floats, not {users.Length}.", nameof(users));
        ref var cards = ref Unsafe.As<float, Vector<float>>(ref _values[block * d * Lanes]);
        ref var first = ref MemoryMarshal.GetReference(users);
        best = new Vector<float>(float.NegativeInfinity);
        interest = Vector<int>.Zero;
        // Four user vectors at a time: four independent accumulator chains keep the FMA units busy
        // (one chain would wait on each FMA's latency), and each card load serves four products. A short
        // last group repeats its last vector; the repeat ties and never wins, as ties keep the first.
        for (var group = 0; group < m; group += 4)
        {
            int s0 = group, s1 = Math.Min(group + 1, m - 1), s2 = Math.Min(group + 2, m - 1), s3 = Math.Min(group + 3, m - 1);
            ref var u0 = ref Unsafe.Add(ref first, s0 * d);
            ref var u1 = ref Unsafe.Add(ref first, s1 * d);
            ref var u2 = ref Unsafe.Add(ref first, s2 * d);
            ref var u3 = ref Unsafe.Add(ref first, s3 * d);
            Vector<float> a0 = Vector<float>.Zero, a1 = Vector<float>.Zero, a2 = Vector<float>.Zero, a3 = Vector<float>.Zero;
            for (var j = 0; j < d; j++)
            {
                var c = Unsafe.Add(ref cards, j);
                a0 = Vector.FusedMultiplyAdd(c, new Vector<float>(Unsafe.Add(ref u0, j)), a0);
                a1 = Vector.FusedMultiplyAdd(c, new Vector<float>(Unsafe.Add(ref u1, j)), a1);
                a2 = Vector.FusedMultiplyAdd(c, new Vector<float>(Unsafe.Add(ref u2, j)), a2);
                a3 = Vector.FusedMultiplyAdd(c, new Vector<float>(Unsafe.Add(ref u3, j)), a3);
            }
            Keep(a0, s0, ref best, ref interest);
            Keep(a1, s1, ref best, ref interest);
            Keep(a2, s2, ref best, ref interest);
            Keep(a3, s3, ref best, ref interest);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(Vector<float> scores, int slot, ref Vector<float> best, ref Vector<int> interest)
    {
        var better = Vector.GreaterThan(scores, best);
        best = Vector.ConditionalSelect(better, scores, best);
        interest = Vector.ConditionalSelect(better, new Vector<int>(slot), interest);
    }
}

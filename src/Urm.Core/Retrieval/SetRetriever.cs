using System.Numerics;
using System.Runtime.CompilerServices;

namespace Urm.Core.Retrieval;

/// <summary>
/// Exact set retrieval: score(item) = max over the M user vectors of &lt;u_m, card&gt;; the answer is the
/// top k of that score over every card. Ties go to the lower row, so answers are deterministic. The scan
/// runs over <see cref="CardMatrix.Blocks"/>, lanes-many cards per vector operation (see
/// <see cref="CardBlocks"/>); only a block with a lane above the current k-th score touches the heap.
/// </summary>
public static class SetRetriever
{
    /// <param name="cards">All cards.</param>
    /// <param name="userVectors">M user vectors, row-major [M, cards.Dimension].</param>
    /// <param name="k">How many to return (fewer when fewer cards are eligible).</param>
    /// <param name="excluded">Rows never returned (already seen, unavailable, ...); null for none. Asked
    /// only about rows that would enter the top k, not about every card.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as CardBlocks.ScoreBlock, and for the same reason
    public static RetrievedItem[] TopK(CardMatrix cards, ReadOnlySpan<float> userVectors, int k, Func<int, bool>? excluded = null)
    {
        var m = UserCount(cards, userVectors);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (k == 0 || cards.Count == 0) return [];

        // A min-heap of the best k so far: the root is the weakest kept item, replaced when beaten.
        var heap = new RetrievedItem[Math.Min(k, cards.Count)];
        var size = 0;
        var blocks = cards.Blocks;
        var lanes = CardBlocks.Lanes;
        for (var block = 0; block < blocks.BlockCount; block++)
        {
            blocks.ScoreBlock(block, userVectors, m, out var best, out var interest);
            // Rows only grow along the scan, so once the heap is full a row gets in only with a score
            // strictly above the root's (on a tie the kept, lower row wins): most blocks stop here.
            if (size == heap.Length && !Vector.GreaterThanAny(best, new Vector<float>(heap[0].Score))) continue;
            var first = block * lanes;
            var end = Math.Min(lanes, cards.Count - first);
            for (var lane = 0; lane < end; lane++)
            {
                var candidate = new RetrievedItem(first + lane, best[lane], interest[lane]);
                if (size < heap.Length)
                {
                    if (excluded is not null && excluded(candidate.Row)) continue;
                    heap[size++] = candidate;
                    SiftUp(heap, size - 1);
                }
                else if (Beats(candidate, heap[0]))
                {
                    if (excluded is not null && excluded(candidate.Row)) continue;
                    heap[0] = candidate;
                    SiftDown(heap, size);
                }
            }
        }

        var result = heap[..size];
        Array.Sort(result, (a, b) => Beats(a, b) ? -1 : Beats(b, a) ? 1 : 0);
        return result;
    }

    /// <summary>
    /// How many cards score strictly above <paramref name="threshold"/>, by the same blocked scan and so
    /// the same bits as <see cref="TopK"/> and <see cref="Score"/>: offline evaluation's exact rank.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int CountAbove(CardMatrix cards, ReadOnlySpan<float> userVectors, float threshold)
    {
        var m = UserCount(cards, userVectors);
        var blocks = cards.Blocks;
        var lanes = CardBlocks.Lanes;
        var whole = cards.Count / lanes;
        var limit = new Vector<float>(threshold);
        var above = Vector<int>.Zero;
        for (var block = 0; block < whole; block++)
        {
            blocks.ScoreBlock(block, userVectors, m, out var best, out _);
            above -= Vector.GreaterThan(best, limit); // true lanes are -1
        }
        var count = Vector.Sum(above);
        if (whole < blocks.BlockCount)
        {
            // The last, partial block: its padding lanes are not cards.
            blocks.ScoreBlock(whole, userVectors, m, out var best, out _);
            for (var lane = 0; lane < cards.Count - whole * lanes; lane++)
                if (best[lane] > threshold) count++;
        }
        return count;
    }

    /// <summary>
    /// An item's score: the best inner product of its card with the M user vectors (row-major [M, d]),
    /// and which vector gave it (the first on a tie).
    /// </summary>
    /// <remarks>
    /// Summed in the blocked scan's order on purpose: j = 0..d-1, one fused multiply-add per term. The
    /// scan gives each lane that exact sequence, so this returns the same bits as <see cref="TopK"/>
    /// and <see cref="CountAbove"/>, and a score compared against theirs (evaluation's target) ranks
    /// exactly as serving ranks. A differently ordered sum (say, a vectorised dot with a horizontal add)
    /// can differ in the last bits and so flip near-ties. Scalar, so for single items, not for scans.
    /// </remarks>
    public static (float Score, int Interest) Score(ReadOnlySpan<float> card, ReadOnlySpan<float> users, int m)
    {
        var d = card.Length;
        if (users.Length < m * d) throw new ArgumentException($"{m} user vectors of {d} values need {m * d} floats, not {users.Length}.", nameof(users));
        var best = float.NegativeInfinity;
        var interest = 0;
        for (var slot = 0; slot < m; slot++)
        {
            var user = users.Slice(slot * d, d);
            var score = 0f;
            for (var j = 0; j < d; j++) score = MathF.FusedMultiplyAdd(card[j], user[j], score);
            if (score > best) { best = score; interest = slot; }
        }
        return (best, interest);
    }

    private static int UserCount(CardMatrix cards, ReadOnlySpan<float> userVectors)
    {
        var d = cards.Dimension;
        if (userVectors.Length == 0 || userVectors.Length % d != 0)
            throw new ArgumentException($"User vectors must be a whole number of {d}-value rows; got {userVectors.Length} values.", nameof(userVectors));
        return userVectors.Length / d;
    }

    /// <summary>Higher score wins; on a tie, the lower row.</summary>
    private static bool Beats(RetrievedItem a, RetrievedItem b) => a.Score > b.Score || (a.Score == b.Score && a.Row < b.Row);

    private static void SiftUp(RetrievedItem[] heap, int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Beats(heap[parent], heap[i])) break;
            (heap[parent], heap[i]) = (heap[i], heap[parent]);
            i = parent;
        }
    }

    private static void SiftDown(RetrievedItem[] heap, int size)
    {
        var i = 0;
        while (true)
        {
            var weakest = i;
            int left = 2 * i + 1, right = left + 1;
            if (left < size && Beats(heap[weakest], heap[left])) weakest = left;
            if (right < size && Beats(heap[weakest], heap[right])) weakest = right;
            if (weakest == i) return;
            (heap[weakest], heap[i]) = (heap[i], heap[weakest]);
            i = weakest;
        }
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Urm.Core.Retrieval;

/// <summary>
/// Exact set retrieval: score(item) = max over the M user vectors of &lt;u_m, card&gt;; the answer is the
/// top k of that score over every card. Ties go to the lower row, so answers are deterministic.
/// <see cref="TopK"/> scans the matrix's compact int8 copy (<see cref="QuantizedCards"/>) when it has
/// one and re-scores the few rows that could be in the top k with the fp32 cards
/// (<see cref="CompressedTopK"/>); <see cref="ExactTopK"/> scans the fp32 copy (<see cref="CardBlocks"/>).
/// Both return the same rows, order, scores and interests: the compressed path only decides which rows
/// are worth scoring exactly, with a proven error bound.
/// </summary>
public static class SetRetriever
{
    /// <param name="cards">All cards.</param>
    /// <param name="userVectors">M user vectors, row-major [M, cards.Dimension].</param>
    /// <param name="k">How many to return (fewer when fewer cards are eligible).</param>
    /// <param name="excluded">Rows never returned (already seen, unavailable, ...); null for none. Asked
    /// only about rows that would enter the top k, not about every card.</param>
    public static RetrievedItem[] TopK(CardMatrix cards, ReadOnlySpan<float> userVectors, int k, Func<int, bool>? excluded = null) =>
        cards.Quantized is not null ? CompressedTopK(cards, userVectors, k, excluded) : ExactTopK(cards, userVectors, k, excluded);

    /// <summary>
    /// <see cref="TopK"/> by the fp32 blocked scan alone: every card scored exactly. Parameters as there.
    /// The scan runs over <see cref="CardMatrix.Blocks"/>, lanes-many cards per vector operation (see
    /// <see cref="CardBlocks"/>); only a block with a lane above the current k-th score touches the heap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as CardBlocks.ScoreBlock, and for the same reason
    public static RetrievedItem[] ExactTopK(CardMatrix cards, ReadOnlySpan<float> userVectors, int k, Func<int, bool>? excluded = null)
    {
        var m = UserCount(cards, userVectors);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (k == 0 || cards.Count == 0) return [];

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
                if (!Enters(heap, size, candidate)) continue;
                if (excluded is not null && excluded(candidate.Row)) continue;
                Keep(heap, ref size, candidate);
            }
        }
        return Ranked(heap, size);
    }

    /// <summary>
    /// <see cref="TopK"/> in two passes, the same answer as <see cref="ExactTopK"/> to the bit.
    /// Pass one scans the int8 copy: each row gets an approximate score A and a bound b with the exact
    /// score S in [A − b, A + b] (<see cref="QuantizedCards"/> proves the bound). A min-heap keeps the k
    /// best lower bounds A − b among rows that are not excluded; its root L only grows, and the k-th best
    /// exact score T is at least L (k eligible rows have S ≥ their lower bound ≥ L). A row with A + b &lt; L
    /// has S &lt; L ≤ T and so cannot be in the top k, not even on a tie; every other row becomes a
    /// candidate. Pass two scores the candidates with the fp32 cards (<see cref="Score"/>, the same bits
    /// as the exact scan) and keeps the top k by the exact order (score, then lower row). The exact top k
    /// are all candidates, so they are the candidates' top k. The exclusion predicate is asked only about
    /// rows that enter the lower-bound heap or survive as candidates, never about every card. When the
    /// candidates are many (near-ties everywhere, or k near the catalog size), the exact scan is cheaper
    /// than re-scoring them one by one, and is run instead.
    /// </summary>
    public static RetrievedItem[] CompressedTopK(CardMatrix cards, ReadOnlySpan<float> userVectors, int k, Func<int, bool>? excluded = null) =>
        CompressedTopK(cards, userVectors, k, excluded, boundFactor: 1f, exactWhenMany: true);

    /// <param name="boundFactor">Tests only: 1 is the proven bound; 0 trusts the int8 scores, which is wrong.</param>
    /// <param name="exactWhenMany">Tests pass false so that pass two runs even on small catalogs.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static RetrievedItem[] CompressedTopK(
        CardMatrix cards, ReadOnlySpan<float> userVectors, int k, Func<int, bool>? excluded, float boundFactor, bool exactWhenMany)
    {
        var m = UserCount(cards, userVectors);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var quantized = cards.Quantized ?? throw new InvalidOperationException("The card matrix has no compact copy (a card value is not finite); use ExactTopK.");
        if (k == 0 || cards.Count == 0) return [];
        var d = cards.Dimension;
        // The bound scales with the largest ‖u_m‖₁, summed in double and rounded up. Non-finite, all-zero
        // or huge user vectors leave nothing for the bound to say (inf·0, inf − inf): the exact scan
        // answers those. Below 2^60 (and cards below 2^60, see QuantizedCards) no score or bound overflows.
        var norm = 0.0;
        for (var slot = 0; slot < m; slot++)
        {
            var sum = 0.0;
            foreach (var value in userVectors.Slice(slot * d, d)) sum += Math.Abs(value);
            norm = Math.Max(norm, sum);
        }
        if (!(norm > 0 && norm < Math.Pow(2, 60))) return ExactTopK(cards, userVectors, k, excluded);
        var userNorm = (float)(norm * (1 + 1e-12)) * boundFactor;
        var slack = boundFactor == 1f ? QuantizedCards.AbsoluteSlack(d) : 0f;
        var users = quantized.BroadcastUsers(userVectors, m);

        // Pass one: the k best lower bounds (a min-heap, root = L) and the candidates with their upper bounds.
        var keep = Math.Min(k, cards.Count);
        var lowest = new PriorityQueue<float, float>(keep);
        var floor = float.NegativeInfinity;   // L once the heap holds k lower bounds
        var candidates = new List<int>(4 * keep + QuantizedCards.Lanes);
        var uppers = new List<float>(candidates.Capacity);
        var pruneAt = candidates.Capacity;
        var lanes = QuantizedCards.Lanes;
        for (var block = 0; block < quantized.BlockCount; block++)
        {
            quantized.ScoreBlock(block, users, m, userNorm, slack, out var approximate, out var bound);
            var upper = approximate + bound;
            // Once the heap is full, a block whose every upper bound is below L holds no candidate, and
            // (lower ≤ upper) nothing for the heap either: most blocks stop here.
            if (!Vector256.GreaterThanOrEqualAny(upper, Vector256.Create(floor))) continue;
            var lower = approximate - bound;
            var first = block * lanes;
            var end = Math.Min(lanes, cards.Count - first);
            for (var lane = 0; lane < end; lane++)
            {
                var row = first + lane;
                if (upper[lane] < floor) continue;
                candidates.Add(row);
                uppers.Add(upper[lane]);
                if (lowest.Count == keep && lower[lane] <= floor) continue;
                if (excluded is not null && excluded(row)) continue;
                if (lowest.Count < keep) lowest.Enqueue(lower[lane], lower[lane]);
                else lowest.EnqueueDequeue(lower[lane], lower[lane]);
                if (lowest.Count == keep) floor = lowest.Peek();
            }
            if (candidates.Count >= pruneAt)
            {
                // L has grown since many of these were added: drop those now below it.
                Prune(candidates, uppers, floor);
                pruneAt = Math.Max(pruneAt, 2 * candidates.Count);
            }
        }
        Prune(candidates, uppers, floor);
        // Scoring one candidate alone costs about what scanning a few dozen cards in blocks does.
        if (exactWhenMany && candidates.Count > cards.Count / 32 + 64) return ExactTopK(cards, userVectors, k, excluded);

        // Pass two: exact scores of the candidates, the top k kept as the exact scan keeps them.
        var heap = new RetrievedItem[Math.Min(k, candidates.Count)];
        var size = 0;
        foreach (var row in candidates)
        {
            if (excluded is not null && excluded(row)) continue;
            var (score, interest) = Score(cards.Row(row), userVectors, m);
            var candidate = new RetrievedItem(row, score, interest);
            if (Enters(heap, size, candidate)) Keep(heap, ref size, candidate);
        }
        return Ranked(heap, size);
    }

    /// <summary>Keeps the candidates whose upper bound reaches <paramref name="floor"/>, in row order.</summary>
    private static void Prune(List<int> candidates, List<float> uppers, float floor)
    {
        var kept = 0;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (uppers[i] < floor) continue;
            candidates[kept] = candidates[i];
            uppers[kept] = uppers[i];
            kept++;
        }
        candidates.RemoveRange(kept, candidates.Count - kept);
        uppers.RemoveRange(kept, uppers.Count - kept);
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
    /// <see cref="CountAbove(CardMatrix, ReadOnlySpan{float}, float)"/> over the rows whose
    /// <paramref name="candidates"/> entry is true (a category's items): the same blocked scan, so the same bits.
    /// </summary>
    public static int CountAbove(CardMatrix cards, ReadOnlySpan<float> userVectors, float threshold, bool[] candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Length < cards.Count)
            throw new ArgumentException($"{candidates.Length} candidate flags for {cards.Count} cards.", nameof(candidates));
        var m = UserCount(cards, userVectors);
        var blocks = cards.Blocks;
        var lanes = CardBlocks.Lanes;
        var count = 0;
        for (var block = 0; block < blocks.BlockCount; block++)
        {
            var first = block * lanes;
            var end = Math.Min(lanes, cards.Count - first);
            blocks.ScoreBlock(block, userVectors, m, out var best, out _);
            for (var lane = 0; lane < end; lane++)
                if (candidates[first + lane] && best[lane] > threshold) count++;
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
    /// and <see cref="CountAbove(CardMatrix, ReadOnlySpan{float}, float)"/>, and a score compared against theirs (evaluation's target) ranks
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

    // The top k so far as a min-heap of `size` items in `heap` (length k): the root is the weakest
    // kept item, replaced when beaten. Both scans keep their answer this way.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Enters(RetrievedItem[] heap, int size, RetrievedItem candidate) => size < heap.Length || Beats(candidate, heap[0]);

    private static void Keep(RetrievedItem[] heap, ref int size, RetrievedItem candidate)
    {
        if (size < heap.Length)
        {
            heap[size++] = candidate;
            SiftUp(heap, size - 1);
        }
        else
        {
            heap[0] = candidate;
            SiftDown(heap, size);
        }
    }

    /// <summary>The kept items, best first.</summary>
    private static RetrievedItem[] Ranked(RetrievedItem[] heap, int size)
    {
        var result = heap[..size];
        Array.Sort(result, (a, b) => Beats(a, b) ? -1 : Beats(b, a) ? 1 : 0);
        return result;
    }

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

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
/// are worth scoring exactly, with a proven error bound. Either scan can be split across threads
/// (<c>threads</c>), each scanning a contiguous range of blocks; the parts' answers are merged in the
/// same order (score, then lower row), so the answer does not depend on the thread count.
/// </summary>
public static class SetRetriever
{
    /// <summary>
    /// A part of a split scan gets at least this many blocks (131,072 cards), so catalogs below 262,144
    /// cards are scanned on one thread whatever is asked. Measured (docs/BENCHMARKS.md, 2026-12-04): at
    /// 100,000 cards two parts were slower than one (compressed p50 1.00 against 0.87 ms, p99 4.16 against
    /// 1.43: waking a pool thread and sharing two cores cost more than half a scan saves); at 1,000,000
    /// they were faster (5.88 against 7.92 ms).
    /// </summary>
    internal const int MinBlocksPerThread = 16_384;

    /// <param name="cards">All cards.</param>
    /// <param name="userVectors">M user vectors, row-major [M, cards.Dimension].</param>
    /// <param name="k">How many to return (fewer when fewer cards are eligible).</param>
    /// <param name="excluded">Rows never returned (already seen, unavailable, ...); null for none. Asked
    /// only about rows that would enter the top k, not about every card; from several threads at once
    /// when <paramref name="threads"/> is above 1, so it must be safe for that (a read-only lookup is).</param>
    /// <param name="threads">Threads to split the scan across (1: the calling thread alone). Large
    /// catalogs only: a part gets at least <see cref="MinBlocksPerThread"/> blocks.</param>
    public static RetrievedItem[] TopK(CardMatrix cards, ReadOnlySpan<float> userVectors, int k, Func<int, bool>? excluded = null, int threads = 1) =>
        cards.Quantized is not null ? CompressedTopK(cards, userVectors, k, excluded, threads) : ExactTopK(cards, userVectors, k, excluded, threads);

    /// <summary>
    /// <see cref="TopK"/> by the fp32 blocked scan alone: every card scored exactly. Parameters as there.
    /// The scan runs over <see cref="CardMatrix.Blocks"/>, lanes-many cards per vector operation (see
    /// <see cref="CardBlocks"/>); only a block with a lane above the current k-th score touches the heap.
    /// </summary>
    public static RetrievedItem[] ExactTopK(CardMatrix cards, ReadOnlySpan<float> userVectors, int k, Func<int, bool>? excluded = null, int threads = 1)
    {
        var m = UserCount(cards, userVectors);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (k == 0 || cards.Count == 0) return [];
        var keep = Math.Min(k, cards.Count);
        var parts = Parts(cards.Blocks.BlockCount, threads);
        if (parts == 1)
        {
            var heap = new RetrievedItem[keep];
            var size = ExactRange(cards, userVectors, m, excluded, 0, cards.Blocks.BlockCount, heap);
            return Ranked(heap, size);
        }
        // Each part keeps its own top k; the top k of their union is the top k of all (Beats is a total order).
        var users = userVectors.ToArray();
        var heaps = new RetrievedItem[parts][];
        var sizes = new int[parts];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            var (from, to) = Range(cards.Blocks.BlockCount, parts, part);
            heaps[part] = new RetrievedItem[keep];
            sizes[part] = ExactRange(cards, users, m, excluded, from, to, heaps[part]);
        });
        var merged = new RetrievedItem[keep];
        var count = 0;
        for (var part = 0; part < parts; part++)
            for (var i = 0; i < sizes[part]; i++)
                if (Enters(merged, count, heaps[part][i])) Keep(merged, ref count, heaps[part][i]);
        return Ranked(merged, count);
    }

    /// <summary>The exact scan of blocks [from, to) into <paramref name="heap"/> (the top heap.Length so far); returns how many it holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as CardBlocks.ScoreBlock, and for the same reason
    private static int ExactRange(CardMatrix cards, ReadOnlySpan<float> userVectors, int m, Func<int, bool>? excluded, int from, int to, RetrievedItem[] heap)
    {
        var size = 0;
        var blocks = cards.Blocks;
        var lanes = CardBlocks.Lanes;
        for (var block = from; block < to; block++)
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
        return size;
    }

    /// <summary>
    /// <see cref="TopK"/> in two passes, the same answer as <see cref="ExactTopK"/> to the bit.
    /// Pass one scans the int8 copy with the user vectors quantised to int16 (or, with
    /// <paramref name="compact"/> = <see cref="CompactCards.Fp16"/>, the fp16 copy with fp32 user vectors): each
    /// row gets an approximate score A and a bound b with the exact score S in [A − b, A + b]
    /// (<see cref="QuantizedCards"/> and <see cref="HalfCards"/> prove their bounds). A min-heap keeps the k best lower bounds A − b
    /// among rows that are not excluded; its root L only grows, and the k-th best exact score T is at least
    /// L (k eligible rows have S ≥ their lower bound ≥ L). A row with A + b &lt; L has S &lt; L ≤ T and so
    /// cannot be in the top k, not even on a tie; every other row becomes a candidate. Pass two scores the
    /// candidates with the fp32 cards (<see cref="Score"/>, the same bits as the exact scan) and keeps the
    /// top k by the exact order (score, then lower row). The exact top k are all candidates, so they are
    /// the candidates' top k. Split across threads, each part keeps its own heap and candidates (its L is
    /// already a valid floor), and the floor used at the end is the k-th best of the parts' lower bounds
    /// together. The exclusion predicate is asked only about rows that enter a lower-bound heap or survive
    /// as candidates, never about every card. When the candidates are many (near-ties everywhere, or k
    /// near the catalog size), the exact scan is cheaper than re-scoring them one by one, and is run
    /// instead; so are user vectors the bound has nothing to say about (<see cref="QuantizedCards.QuantizeUsers"/>,
    /// <see cref="HalfCards.PrepareUsers"/>).
    /// </summary>
    /// <param name="compact">Which compact copy pass one reads; serving uses int8, fp16 is there to be measured beside it.</param>
    public static RetrievedItem[] CompressedTopK(
        CardMatrix cards, ReadOnlySpan<float> userVectors, int k, Func<int, bool>? excluded = null, int threads = 1, CompactCards compact = CompactCards.Int8) =>
        CompressedTopK(cards, userVectors, k, excluded, boundFactor: 1f, exactWhenMany: true, threads, compact);

    /// <param name="boundFactor">Tests only: 1 is the proven bound; 0 trusts the compact scores, which is wrong.</param>
    /// <param name="exactWhenMany">Tests pass false so that pass two runs even on small catalogs.</param>
    /// <param name="compact">Which compact copy pass one reads: int8 (<see cref="QuantizedCards"/>, serving's) or fp16 (<see cref="HalfCards"/>).</param>
    internal static RetrievedItem[] CompressedTopK(
        CardMatrix cards, ReadOnlySpan<float> userVectors, int k, Func<int, bool>? excluded, float boundFactor, bool exactWhenMany, int threads = 1,
        CompactCards compact = CompactCards.Int8)
    {
        var m = UserCount(cards, userVectors);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var d = cards.Dimension;
        switch (compact)
        {
            case CompactCards.Int8:
            {
                var quantized = cards.Quantized ?? throw new InvalidOperationException("The card matrix has no compact copy (a card value is not finite); use ExactTopK.");
                if (k == 0 || cards.Count == 0) return [];
                var users = quantized.QuantizeUsers(userVectors, m);
                if (users is null) return ExactTopK(cards, userVectors, k, excluded, threads);
                if (boundFactor != 1f) users = users with { Norm = users.Norm * boundFactor, Error = users.Error * boundFactor };
                var slack = boundFactor == 1f ? QuantizedCards.AbsoluteSlack(d) : 0f;
                return TwoPasses(cards, new Int8Pass(quantized, users, slack), userVectors, m, k, excluded, exactWhenMany, threads);
            }
            case CompactCards.Fp16:
            {
                var half = cards.Half ?? throw new InvalidOperationException("The card matrix has no fp16 copy (a card value is not finite); use ExactTopK.");
                if (k == 0 || cards.Count == 0) return [];
                var users = half.PrepareUsers(userVectors, m);
                if (users is null) return ExactTopK(cards, userVectors, k, excluded, threads);
                if (boundFactor != 1f) users = users with { Norm = users.Norm * boundFactor };
                var slack = boundFactor == 1f ? HalfCards.AbsoluteSlack(d) : 0f;
                return TwoPasses(cards, new HalfPass(half, users, slack), userVectors, m, k, excluded, exactWhenMany, threads);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(compact), compact, "Not a compact card kind.");
        }
    }

    /// <summary>
    /// A first pass's kernel: approximate scores of 8 cards a block and their bounds. The scans below are
    /// generic over a struct implementing it, so the JIT compiles one copy per kernel with the call direct
    /// and inlined: plugging in fp16 costs the int8 scan no virtual call.
    /// </summary>
    private interface ICompactPass
    {
        int BlockCount { get; }

        /// <summary>Lane l: the approximate score A of row block × 8 + l and a bound b with the exact score in [A − b, A + b].</summary>
        void ScoreBlock(int block, out Vector256<float> approximate, out Vector256<float> bound);
    }

    private readonly struct Int8Pass(QuantizedCards cards, QuantizedUsers users, float slack) : ICompactPass
    {
        public int BlockCount => cards.BlockCount;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void ScoreBlock(int block, out Vector256<float> approximate, out Vector256<float> bound) =>
            cards.ScoreBlock(block, users, slack, out approximate, out bound);
    }

    private readonly struct HalfPass(HalfCards cards, HalfUsers users, float slack) : ICompactPass
    {
        public int BlockCount => cards.BlockCount;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void ScoreBlock(int block, out Vector256<float> approximate, out Vector256<float> bound) =>
            cards.ScoreBlock(block, users, slack, out approximate, out bound);
    }

    /// <summary>Pass one with <paramref name="pass"/>'s kernel (split across threads or not), then pass two; see <see cref="CompressedTopK(CardMatrix, ReadOnlySpan{float}, int, Func{int, bool}?, int, CompactCards)"/>.</summary>
    private static RetrievedItem[] TwoPasses<TPass>(
        CardMatrix cards, TPass pass, ReadOnlySpan<float> userVectors, int m, int k, Func<int, bool>? excluded, bool exactWhenMany, int threads)
        where TPass : struct, ICompactPass
    {
        // Pass one, on one thread or split.
        var keep = Math.Min(k, cards.Count);
        var blockCount = pass.BlockCount;
        var parts = Parts(blockCount, threads);
        var passes = new FirstPass[parts];
        if (parts == 1) passes[0] = Scan(cards, pass, keep, excluded, 0, blockCount);
        else
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
            {
                var (from, to) = Range(blockCount, parts, part);
                passes[part] = Scan(cards, pass, keep, excluded, from, to);
            });
        var floor = parts == 1 ? passes[0].Floor : Floor(passes, keep);
        var candidates = passes[0].Candidates;
        var uppers = passes[0].Uppers;
        for (var part = 1; part < parts; part++)
        {
            candidates.AddRange(passes[part].Candidates);
            uppers.AddRange(passes[part].Uppers);
        }
        Prune(candidates, uppers, floor);
        // Scoring one candidate alone costs about what scanning a few dozen cards in blocks does.
        if (exactWhenMany && candidates.Count > cards.Count / 32 + 64) return ExactTopK(cards, userVectors, k, excluded, threads);

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

    /// <summary>One part's pass one: its candidates (rows and upper bounds), its k best lower bounds, and its floor L.</summary>
    private sealed record FirstPass(List<int> Candidates, List<float> Uppers, PriorityQueue<float, float> Lowest, float Floor);

    /// <summary>Pass one of <see cref="CompressedTopK(CardMatrix, ReadOnlySpan{float}, int, Func{int, bool}?, int, CompactCards)"/> over blocks [from, to).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static FirstPass Scan<TPass>(CardMatrix cards, TPass pass, int keep, Func<int, bool>? excluded, int from, int to)
        where TPass : struct, ICompactPass
    {
        var lowest = new PriorityQueue<float, float>(keep);   // the k best lower bounds, root = L
        var floor = float.NegativeInfinity;                   // L once the heap holds k lower bounds
        var candidates = new List<int>(4 * keep + CompactLanes);
        var uppers = new List<float>(candidates.Capacity);
        var pruneAt = candidates.Capacity;
        for (var block = from; block < to; block++)
        {
            pass.ScoreBlock(block, out var approximate, out var bound);
            var upper = approximate + bound;
            // Once the heap is full, a block whose every upper bound is below L holds no candidate, and
            // (lower ≤ upper) nothing for the heap either: most blocks stop here.
            if (!Vector256.GreaterThanOrEqualAny(upper, Vector256.Create(floor))) continue;
            var lower = approximate - bound;
            var first = block * CompactLanes;
            var end = Math.Min(CompactLanes, cards.Count - first);
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
        return new FirstPass(candidates, uppers, lowest, floor);
    }

    /// <summary>Cards per block of both compact copies: one Vector256&lt;float&gt; of scores.</summary>
    private const int CompactLanes = 8;

    /// <summary>
    /// The floor of a split pass one: the k-th best lower bound of all parts' heaps together (each holds its
    /// part's k best, so together they hold the k best overall), or −∞ when fewer than k eligible rows were seen.
    /// </summary>
    private static float Floor(FirstPass[] passes, int keep)
    {
        var all = new List<float>();
        foreach (var pass in passes)
            foreach (var (lower, _) in pass.Lowest.UnorderedItems) all.Add(lower);
        if (all.Count < keep) return float.NegativeInfinity;
        all.Sort();
        return all[^keep];
    }

    /// <summary>How many parts a scan of <paramref name="blockCount"/> blocks is split into.</summary>
    private static int Parts(int blockCount, int threads) => Math.Max(1, Math.Min(threads, blockCount / MinBlocksPerThread));

    /// <summary>Part <paramref name="part"/>'s blocks [From, To) of <paramref name="parts"/> contiguous, near-equal ranges.</summary>
    private static (int From, int To) Range(int blockCount, int parts, int part) =>
        ((int)((long)blockCount * part / parts), (int)((long)blockCount * (part + 1) / parts));

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
        var slot = 0;
        // Four vectors' chains side by side: each is still its own j = 0..d-1 sequence of fused
        // multiply-adds (the same bits), but four independent chains do not wait on each other's
        // latency; the compressed scan's second pass spends its time here.
        for (; slot + 4 <= m; slot += 4)
        {
            var u0 = users.Slice(slot * d, d);
            var u1 = users.Slice((slot + 1) * d, d);
            var u2 = users.Slice((slot + 2) * d, d);
            var u3 = users.Slice((slot + 3) * d, d);
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            for (var j = 0; j < d; j++)
            {
                var c = card[j];
                a0 = MathF.FusedMultiplyAdd(c, u0[j], a0);
                a1 = MathF.FusedMultiplyAdd(c, u1[j], a1);
                a2 = MathF.FusedMultiplyAdd(c, u2[j], a2);
                a3 = MathF.FusedMultiplyAdd(c, u3[j], a3);
            }
            if (a0 > best) { best = a0; interest = slot; }
            if (a1 > best) { best = a1; interest = slot + 1; }
            if (a2 > best) { best = a2; interest = slot + 2; }
            if (a3 > best) { best = a3; interest = slot + 3; }
        }
        for (; slot < m; slot++)
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

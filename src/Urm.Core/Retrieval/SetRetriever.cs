using System.Numerics;
using System.Runtime.InteropServices;

namespace Urm.Core.Retrieval;

/// <summary>
/// Exact set retrieval: score(item) = max over the M user vectors of &lt;u_m, card&gt;; the answer is the
/// top k of that score over every card. Ties go to the lower row, so answers are deterministic.
/// </summary>
public static class SetRetriever
{
    /// <param name="cards">All cards.</param>
    /// <param name="userVectors">M user vectors, row-major [M, cards.Dimension].</param>
    /// <param name="k">How many to return (fewer when fewer cards are eligible).</param>
    /// <param name="excluded">Rows never returned (already seen, unavailable, ...); null for none.</param>
    public static RetrievedItem[] TopK(CardMatrix cards, ReadOnlySpan<float> userVectors, int k, Func<int, bool>? excluded = null)
    {
        var d = cards.Dimension;
        if (userVectors.Length == 0 || userVectors.Length % d != 0)
            throw new ArgumentException($"User vectors must be a whole number of {d}-value rows; got {userVectors.Length} values.", nameof(userVectors));
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var m = userVectors.Length / d;
        if (k == 0) return [];

        // A min-heap of the best k so far: the root is the weakest kept item, replaced when beaten.
        var heap = new RetrievedItem[Math.Min(k, cards.Count)];
        var size = 0;
        var vectors = cards.Vectors;
        for (var row = 0; row < cards.Count; row++)
        {
            if (excluded is not null && excluded(row)) continue;
            var (best, interest) = Score(vectors.AsSpan(row * d, d), userVectors, m);
            var candidate = new RetrievedItem(row, best, interest);
            if (size < heap.Length)
            {
                heap[size++] = candidate;
                SiftUp(heap, size - 1);
            }
            else if (Beats(candidate, heap[0]))
            {
                heap[0] = candidate;
                SiftDown(heap, size);
            }
        }

        var result = heap[..size];
        Array.Sort(result, (a, b) => Beats(a, b) ? -1 : Beats(b, a) ? 1 : 0);
        return result;
    }

    /// <summary>
    /// An item's score: the best inner product of its card with the M user vectors (row-major [M, d]),
    /// and which vector gave it. Shared by the scan and by offline evaluation, so both rank alike. Written
    /// with Vector&lt;float&gt; directly: at d = 64 a library call per (card, vector) pair costs more in
    /// call overhead than the arithmetic, and this scan runs over every card of the catalog.
    /// </summary>
    public static (float Score, int Interest) Score(ReadOnlySpan<float> card, ReadOnlySpan<float> users, int m)
    {
        var d = card.Length;
        var lanes = Vector<float>.Count;
        var whole = d - d % lanes;
        var cardVectors = MemoryMarshal.Cast<float, Vector<float>>(card[..whole]);
        var best = float.NegativeInfinity;
        var interest = 0;
        for (var slot = 0; slot < m; slot++)
        {
            var user = users.Slice(slot * d, d);
            var userVectors = MemoryMarshal.Cast<float, Vector<float>>(user[..whole]);
            var sum = Vector<float>.Zero;
            for (var i = 0; i < cardVectors.Length; i++) sum += cardVectors[i] * userVectors[i];
            var score = Vector.Sum(sum);
            for (var i = whole; i < d; i++) score += card[i] * user[i];
            if (score > best) { best = score; interest = slot; }
        }
        return (best, interest);
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

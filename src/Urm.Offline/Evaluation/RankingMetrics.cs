using System.Numerics;

namespace Urm.Offline.Evaluation;

/// <summary>
/// Ranking figures with one target per user, as the trainer computes them (urm_train/evaluate.py).
/// rank = 0-based position of the target = number of items scoring strictly higher (ties count in the
/// target's favour).
///   HR@K   = 1 if rank &lt; K, else 0                          (= Recall@K with one target)
///   NDCG@K = 1 / log2(rank + 2) if rank &lt; K, else 0        (the ideal DCG of one target is 1)
/// Over users, both are means.
/// </summary>
public static class RankingMetrics
{
    public static readonly IReadOnlyList<int> DefaultKs = [5, 10, 20];

    public static double HitRate(int rank, int k) => rank >= 0 && rank < k ? 1.0 : 0.0;

    public static double Ndcg(int rank, int k) => rank >= 0 && rank < k ? 1.0 / Math.Log2(rank + 2.0) : 0.0;

    /// <summary>Mean HR@K and NDCG@K over <paramref name="ranks"/> for each K; zeros when there are no ranks.</summary>
    public static RankSummary Summarize(IReadOnlyCollection<int> ranks, IReadOnlyList<int>? ks = null)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        ks ??= DefaultKs;
        var atK = new List<MetricsAtK>(ks.Count);
        foreach (var k in ks)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
            double hits = 0, gain = 0;
            foreach (var rank in ranks)
            {
                hits += HitRate(rank, k);
                gain += Ndcg(rank, k);
            }
            var n = Math.Max(ranks.Count, 1);
            atK.Add(new MetricsAtK(k, hits / n, gain / n));
        }
        return new RankSummary(ranks.Count, atK);
    }

    /// <summary>
    /// The target's 0-based rank: how many items score strictly higher than it (the trainer's
    /// target_ranks). Exact over every score; nothing is excluded.
    /// </summary>
    public static int RankOf(ReadOnlySpan<float> scores, int target)
    {
        var t = scores[target];
        var rank = 0;
        foreach (var s in scores) if (s > t) rank++;
        return rank;
    }

    /// <inheritdoc cref="RankOf(ReadOnlySpan{float}, int)"/>
    public static int RankOf(ReadOnlySpan<double> scores, int target)
    {
        var t = scores[target];
        var rank = 0;
        foreach (var s in scores) if (s > t) rank++;
        return rank;
    }

    /// <summary>
    /// The target's 0-based rank among <paramref name="candidates"/> (every item when null; else the rows
    /// marked true, as the category task ranks only its category): candidates scoring strictly higher than
    /// the target, not counting <paramref name="excluded"/> (distinct rows; those outside the candidates
    /// or not above the target change nothing). The target itself never counts.
    /// </summary>
    public static int RankAmong<T>(ReadOnlySpan<T> scores, int target, IReadOnlyCollection<int>? excluded = null, bool[]? candidates = null)
        where T : IComparisonOperators<T, T, bool>
    {
        if (candidates is not null && candidates.Length != scores.Length)
            throw new ArgumentException($"{candidates.Length} candidate flags for {scores.Length} scores.", nameof(candidates));
        var t = scores[target];
        var rank = 0;
        if (candidates is null)
        {
            foreach (var s in scores) if (s > t) rank++;
        }
        else
        {
            for (var row = 0; row < scores.Length; row++) if (candidates[row] && scores[row] > t) rank++;
        }
        if (excluded is not null)
            foreach (var row in excluded)
                if ((candidates is null || candidates[row]) && scores[row] > t) rank--;
        return rank;
    }
}

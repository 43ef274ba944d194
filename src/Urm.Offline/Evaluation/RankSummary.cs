namespace Urm.Offline.Evaluation;

/// <summary>HR@K and NDCG@K over <paramref name="Users"/> targets, one entry per K.</summary>
public sealed record RankSummary(int Users, IReadOnlyList<MetricsAtK> AtK)
{
    public double HitRate(int k) => At(k).HitRate;

    public double Ndcg(int k) => At(k).Ndcg;

    private MetricsAtK At(int k)
        => AtK.FirstOrDefault(m => m.K == k) ?? throw new ArgumentOutOfRangeException(nameof(k), $"No figures at K = {k}; computed at {string.Join(", ", AtK.Select(m => m.K))}.");
}

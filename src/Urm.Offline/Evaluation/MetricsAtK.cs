namespace Urm.Offline.Evaluation;

/// <summary>Mean HR@K and NDCG@K at one cut-off.</summary>
public sealed record MetricsAtK(int K, double HitRate, double Ndcg);

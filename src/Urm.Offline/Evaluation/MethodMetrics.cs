namespace Urm.Offline.Evaluation;

/// <summary>The figures of one ranking method (the model or a baseline) over a set of targets.</summary>
public sealed record MethodMetrics(string Method, RankSummary Metrics);

namespace Urm.Offline.Evaluation;

/// <summary>The figures of every method over one slice of the targets.</summary>
/// <param name="Dimension">What the slice is cut by, e.g. "target" or "history length".</param>
/// <param name="Segment">The slice, e.g. "cold" or "5-9".</param>
public sealed record SegmentMetrics(string Dimension, string Segment, int Users, IReadOnlyList<MethodMetrics> Methods)
{
    public RankSummary Of(string method) => Methods.First(m => m.Method == method).Metrics;
}

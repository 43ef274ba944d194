namespace Urm.Offline.Evaluation;

/// <summary>
/// Ranks every item by how often it occurs in the training sequences, the same list for every user.
/// </summary>
public sealed class PopularityBaseline
{
    private readonly int[] _counts;

    public PopularityBaseline(IEnumerable<int[]> training, int itemCount)
    {
        ArgumentNullException.ThrowIfNull(training);
        _counts = new int[itemCount];
        foreach (var sequence in training)
            foreach (var row in sequence) _counts[row]++;
    }

    public const string Name = "popularity";

    public IReadOnlyList<int> Counts => _counts;

    /// <summary>
    /// 0-based rank of the target: items with strictly more training interactions, among
    /// <paramref name="candidates"/> (all when null), not counting <paramref name="excluded"/>.
    /// </summary>
    public int Rank(EvaluationCase evaluationCase, IReadOnlyCollection<int>? excluded = null, bool[]? candidates = null)
    {
        ArgumentNullException.ThrowIfNull(evaluationCase);
        return RankingMetrics.RankAmong<int>(_counts, evaluationCase.Target, excluded, candidates);
    }
}

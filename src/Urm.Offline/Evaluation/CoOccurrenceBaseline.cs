namespace Urm.Offline.Evaluation;

/// <summary>
/// Item-to-item co-occurrence: C[a][b] = how often b occurs within <c>window</c> positions of a in a
/// training sequence (both directions; an item never co-occurs with itself). A user's score for item i
/// is sum over the <c>recent</c> newest history items h_r (r = 0 newest) of C[h_r][i] / (r + 1), so the
/// latest item counts most. Ties (above all the many items at 0) are broken by popularity, scaled below
/// 1e-3: the smallest gap between two different co-occurrence scores is 1/lcm(1..recent) ≥ 1/60 for
/// recent ≤ 5, so popularity never overrides co-occurrence. The target's rank is then exact as for the model.
/// </summary>
public sealed class CoOccurrenceBaseline
{
    public const string Name = "co-occurrence";
    public const int MaxRecent = 5;

    private readonly Dictionary<int, int>[] _neighbours;
    private readonly double[] _popularityTieBreak;
    private readonly int _recent;

    public CoOccurrenceBaseline(IReadOnlyList<int[]> training, int itemCount, int window = 3, int recent = 3)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(recent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(recent, MaxRecent);
        _recent = recent;
        _neighbours = new Dictionary<int, int>[itemCount];
        var counts = new int[itemCount];
        foreach (var sequence in training)
        {
            for (var i = 0; i < sequence.Length; i++)
            {
                counts[sequence[i]]++;
                for (var j = i + 1; j < sequence.Length && j <= i + window; j++)
                {
                    if (sequence[i] == sequence[j]) continue;
                    Add(sequence[i], sequence[j]);
                    Add(sequence[j], sequence[i]);
                }
            }
        }
        var max = counts.Length == 0 ? 0 : counts.Max();
        _popularityTieBreak = counts.Select(c => 1e-3 * c / (max + 1.0)).ToArray();
    }

    /// <summary>Co-occurrence count of two items in the training sequences.</summary>
    public int Count(int a, int b) => _neighbours[a] is { } n && n.TryGetValue(b, out var c) ? c : 0;

    /// <summary>Scores of every item for this user's history (see the type's comment).</summary>
    public double[] Scores(IReadOnlyList<int> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var scores = (double[])_popularityTieBreak.Clone();
        for (var r = 0; r < _recent && r < history.Count; r++)
        {
            if (_neighbours[history[history.Count - 1 - r]] is not { } neighbours) continue;
            var weight = 1.0 / (r + 1);
            foreach (var (item, count) in neighbours) scores[item] += weight * count;
        }
        return scores;
    }

    /// <summary>
    /// 0-based rank of the target: items scoring strictly higher, among <paramref name="candidates"/> (all
    /// when null), not counting <paramref name="excluded"/>.
    /// </summary>
    public int Rank(EvaluationCase evaluationCase, IReadOnlyCollection<int>? excluded = null, bool[]? candidates = null)
    {
        ArgumentNullException.ThrowIfNull(evaluationCase);
        return RankingMetrics.RankAmong<double>(Scores(evaluationCase.History), evaluationCase.Target, excluded, candidates);
    }

    private void Add(int a, int b)
    {
        var n = _neighbours[a] ??= [];
        n[b] = n.GetValueOrDefault(b) + 1;
    }
}

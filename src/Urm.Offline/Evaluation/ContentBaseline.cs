using System.Numerics.Tensors;
using Urm.Core.Features;

namespace Urm.Offline.Evaluation;

/// <summary>
/// The frozen text encoder alone, nothing learned:
///   score(item) = sum over the r = 0..2 newest history items h_r of cos(text_item, text_{h_r}) / (r + 1)
/// with the MiniLM text vectors of the item features. They are L2-normalised, so cos = dot; an item
/// with an all-zero vector scores 0. By linearity that is one dot product per item with
/// q = sum_r text_{h_r} / (r + 1), which is how it is computed. Ranked as the other baselines: items
/// scoring strictly higher than the target (ties count in its favour).
/// </summary>
public sealed class ContentBaseline
{
    public const string Name = "content";
    public const int Recent = 3;

    // Users scored together against each item row: the text matrix (18 MB for 12k items) is then read
    // from memory once per block rather than once per user, which is what would bound the scan.
    private const int Block = 64;

    private readonly float[] _text; // [n, dim], row-major
    private readonly int _dim;
    private readonly int _count;

    /// <param name="items">The catalog's features, row i = item i of the ranking.</param>
    public ContentBaseline(IReadOnlyList<ItemFeatures> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _count = items.Count;
        _dim = items.Count == 0 ? 0 : items[0].Text.Length;
        _text = new float[_count * _dim];
        for (var i = 0; i < _count; i++)
        {
            if (items[i].Text.Length != _dim)
                throw new ArgumentException($"Item '{items[i].Id}' has {items[i].Text.Length} text values; item '{items[0].Id}' has {_dim}.", nameof(items));
            items[i].Text.CopyTo(_text, i * _dim);
        }
    }

    /// <summary>Scores of every item for this history (see the type's comment).</summary>
    public float[] Scores(IReadOnlyList<int> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var query = new float[_dim];
        Query(history, query);
        var scores = new float[_count];
        for (var item = 0; item < _count; item++) scores[item] = TensorPrimitives.Dot(Row(item), query);
        return scores;
    }

    /// <summary>
    /// 0-based rank of the target: items scoring strictly higher, among <paramref name="candidates"/> (all
    /// when null), not counting <paramref name="excluded"/>.
    /// </summary>
    public int Rank(EvaluationCase evaluationCase, IReadOnlyCollection<int>? excluded = null, bool[]? candidates = null)
    {
        ArgumentNullException.ThrowIfNull(evaluationCase);
        return RankingMetrics.RankAmong<float>(Scores(evaluationCase.History), evaluationCase.Target, excluded, candidates);
    }

    /// <summary>Each case's rank, as <see cref="Rank"/> gives it, scoring <see cref="Block"/> users per pass over the items.</summary>
    public int[] Ranks(IReadOnlyList<TaskCase> cases, ParallelOptions parallel)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(parallel);
        var ranks = new int[cases.Count];
        var blocks = (cases.Count + Block - 1) / Block;
        Parallel.For(0, blocks, parallel,
            () => (Queries: new float[Block * _dim], Scores: new float[Block * _count]),
            (block, _, buffers) =>
            {
                var first = block * Block;
                var users = Math.Min(Block, cases.Count - first);
                Array.Clear(buffers.Queries);
                for (var u = 0; u < users; u++) Query(cases[first + u].Case.History, buffers.Queries.AsSpan(u * _dim, _dim));
                for (var item = 0; item < _count; item++)
                {
                    var row = Row(item);
                    for (var u = 0; u < users; u++)
                        buffers.Scores[u * _count + item] = TensorPrimitives.Dot(row, buffers.Queries.AsSpan(u * _dim, _dim));
                }
                for (var u = 0; u < users; u++)
                {
                    var c = cases[first + u];
                    ranks[first + u] = RankingMetrics.RankAmong<float>(buffers.Scores.AsSpan(u * _count, _count), c.Target, c.Excluded, c.Candidates);
                }
                return buffers;
            },
            _ => { });
        return ranks;
    }

    /// <summary>The search baseline: items ranked by cos(query vector, item text), the frozen encoder alone.</summary>
    public const string QueryName = "text-cosine";

    /// <summary>The search baseline with popularity breaking near-ties: cosines equal to two decimals rank by training count.</summary>
    public const string QueryPopularityName = "text-cosine+popularity";

    /// <summary>
    /// Each search case's rank by cos(query, item text), and with <paramref name="popularity"/> given, by
    /// that cosine rounded down to two decimals first and the item's training count second.
    /// </summary>
    /// <param name="query">The case's query vector (L2-normalised, as the text encoder gives it).</param>
    public int[] QueryRanks(IReadOnlyList<TaskCase> cases, Func<TaskCase, float[]> query, IReadOnlyList<int>? popularity, ParallelOptions parallel)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(query);
        var ranks = new int[cases.Count];
        Parallel.For(0, cases.Count, parallel, () => new double[_count], (i, _, scores) =>
        {
            var c = cases[i];
            var q = query(c);
            for (var item = 0; item < _count; item++)
            {
                double cos = TensorPrimitives.Dot(Row(item), q);
                scores[item] = popularity is null ? cos : Math.Floor(cos * 100) * 1e9 + popularity[item];
            }
            ranks[i] = RankingMetrics.RankAmong<double>(scores, c.Target, c.Excluded, c.Candidates);
            return scores;
        }, _ => { });
        return ranks;
    }

    /// <summary>q = sum over the newest <see cref="Recent"/> history items of text / (r + 1), into a zeroed span.</summary>
    private void Query(IReadOnlyList<int> history, Span<float> query)
    {
        for (var r = 0; r < Recent && r < history.Count; r++)
            TensorPrimitives.MultiplyAdd(Row(history[history.Count - 1 - r]), 1f / (r + 1), query, query);
    }

    private ReadOnlySpan<float> Row(int item) => _text.AsSpan(item * _dim, _dim);
}

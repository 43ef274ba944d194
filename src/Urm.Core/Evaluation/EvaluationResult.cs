using Urm.Core.Models;

namespace Urm.Core.Evaluation;

/// <summary>What <see cref="OfflineEvaluator"/> measured.</summary>
/// <param name="Items">Items ranked (the whole catalog).</param>
/// <param name="ColdItems">Items without an ID embedding (not in the manifest's idTable).</param>
/// <param name="Users">Users evaluated (one target each).</param>
/// <param name="Overall">Model first, then the baselines.</param>
/// <param name="TrainerMetrics">The trainer's own figures for this split, from the manifest.</param>
public sealed record EvaluationResult(
    string ModelVersion,
    EvaluationSplit Split,
    int Items,
    int ColdItems,
    int Users,
    int TooShortUsers,
    int UnknownItemEvents,
    IReadOnlyList<int> Ks,
    IReadOnlyList<MethodMetrics> Overall,
    IReadOnlyList<SegmentMetrics> Segments,
    SplitMetrics? TrainerMetrics,
    double Seconds)
{
    public const string ModelMethod = "model";

    /// <summary>Whether the user's earlier items were left out of the ranking (<see cref="EvaluationOptions.ExcludeSeen"/>).</summary>
    public bool ExcludeSeen { get; init; }

    public RankSummary Of(string method) => Overall.First(m => m.Method == method).Metrics;

    /// <summary>The protocol in words, for reports.</summary>
    public string Protocol =>
        $"Leave-one-out as the trainer splits: each user's events ordered by time (ties keep file order); users with at least {LeaveOneOut.MinEvents} events are evaluated, " +
        $"the target is the {(Split == EvaluationSplit.Test ? "last event (test)" : "second-last event (validation)")}, the history is every event before it " +
        "(the model reads the most recent sizes.L), prompt [task:next-item]. Baselines learn from the training part only (all but the last two events of each evaluated user, all events of the others). " +
        (ExcludeSeen
            ? $"Full ranking over all {Items:N0} catalog items except the user's earlier items (the history, which data/README.md allows leaving out and the published Beauty baselines leave out), for every method alike; "
            : $"Full ranking over all {Items:N0} catalog items, nothing excluded (not even items already in the history; the trainer's headline evaluation excludes none either); ") +
        "rank = number of items scoring strictly higher than the target (ties count in its favour). HR@K = 1 if rank < K; NDCG@K = 1/log2(rank+2) if rank < K; means over users. " +
        "Model scores go through the serving path: cards from fusion.onnx (CardFuser), user vectors from user.onnx (UserEncoder), score = max over the M user vectors of the inner product.";
}

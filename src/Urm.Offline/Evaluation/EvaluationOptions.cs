using Urm.Core.Serving;

namespace Urm.Offline.Evaluation;

/// <summary>How an evaluation runs.</summary>
/// <param name="Ks">Cut-offs; <see cref="RankingMetrics.DefaultKs"/> (5, 10, 20) when null.</param>
/// <param name="UserBatch">Users per user.onnx run.</param>
/// <param name="CoOccurrenceWindow">Positions apart that still count as co-occurring in a training sequence.</param>
/// <param name="CoOccurrenceRecent">Newest history items the co-occurrence baseline scores from.</param>
/// <param name="MaxDegreeOfParallelism">Threads for the score scans; -1 for all cores.</param>
/// <param name="ExcludeSeen">Leave the user's earlier items (the history) out of the ranking, as the
/// published Beauty baselines do and data/README.md allows; every method is ranked the same way.</param>
/// <param name="Task">The task measured, one of <see cref="EvaluationTasks.Names"/> (see there for each protocol).</param>
/// <param name="Instruction">Free text in place of the task's instruction piece, as a request's instruction
/// replaces it (to measure wordings never trained on); null for the task's own.</param>
public sealed record EvaluationOptions(
    EvaluationSplit Split = EvaluationSplit.Test,
    IReadOnlyList<int>? Ks = null,
    int UserBatch = 256,
    int CoOccurrenceWindow = 3,
    int CoOccurrenceRecent = 3,
    int MaxDegreeOfParallelism = -1,
    bool ExcludeSeen = false,
    string Task = RecommendTasks.NextItem,
    string? Instruction = null)
{
    /// <summary>The search task's held-out queries, per item row; the search task needs them.</summary>
    public SearchEvaluationQueries? SearchQueries { get; init; }
}

/// <summary>
/// Per item row, the search query evaluation poses for it (null where the item's queries were trained on,
/// <see cref="Prompts.SearchQueries.IsHeldOut"/>) and that query's text-encoder vector, as the frozen-encoder
/// baseline reads it (the query as typed, no prompt wording around it).
/// </summary>
public sealed record SearchEvaluationQueries(IReadOnlyList<string?> Texts, IReadOnlyList<float[]?> Vectors);

namespace Urm.Offline.Evaluation;

/// <summary>
/// One case as a task poses it (<see cref="EvaluationTasks"/>): what every method reads, what it ranks
/// the target among and what it leaves out. The model and every baseline get the same three.
/// </summary>
/// <param name="Case">The case as every method reads it: the split's case, or for similar one whose
/// history is the anchor alone.</param>
/// <param name="HistoryLength">Events before the target in the split, whatever the task reads (the
/// history-length segment).</param>
/// <param name="Category">The category the prompt names (category task), as the catalog spells it; else null.</param>
/// <param name="Excluded">Distinct rows left out of every method's ranking (the anchor for similar, the
/// history with exclude-seen); null for none.</param>
/// <param name="Candidates">The rows ranked among, true per row (category: the items under the target's
/// category; explore: the items outside the history's categories); null for every item.</param>
/// <param name="Query">The search query the prompt carries (search task); else null.</param>
public sealed record TaskCase(EvaluationCase Case, int HistoryLength, string? Category, IReadOnlyCollection<int>? Excluded, bool[]? Candidates, string? Query = null)
{
    public int Target => Case.Target;
}

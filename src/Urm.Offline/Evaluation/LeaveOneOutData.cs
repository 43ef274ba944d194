namespace Urm.Offline.Evaluation;

/// <summary>
/// The trainer's leave-one-out split of an event file (see <see cref="LeaveOneOut"/>).
/// </summary>
/// <param name="Training">Per user, the item rows the model was trained on (time order); users with too few events train on all of them; held-out (new) items' events are not in it.</param>
/// <param name="Validation">One case per evaluated user: target = second-last event.</param>
/// <param name="Test">One case per evaluated user: target = last event.</param>
/// <param name="TooShortUsers">Users with fewer than <see cref="LeaveOneOut.MinEvents"/> events: training only, never evaluated.</param>
/// <param name="UnknownItemEvents">Events whose item is not in the catalog: dropped, as the trainer drops them.</param>
public sealed record LeaveOneOutData(
    IReadOnlyList<int[]> Training,
    IReadOnlyList<EvaluationCase> Validation,
    IReadOnlyList<EvaluationCase> Test,
    int TooShortUsers,
    int UnknownItemEvents)
{
    public IReadOnlyList<EvaluationCase> Cases(EvaluationSplit split) => split == EvaluationSplit.Test ? Test : Validation;
}

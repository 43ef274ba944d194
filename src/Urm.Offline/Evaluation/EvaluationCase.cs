using Urm.Core.Events;

namespace Urm.Offline.Evaluation;

/// <summary>
/// One held-out target: the user's events before it (oldest -> newest, item rows of the card matrix),
/// the target's row and the target event's type (next-purchase keeps the purchases).
/// </summary>
public sealed record EvaluationCase(string UserId, IReadOnlyList<int> History, IReadOnlyList<EventType> Events, int Target, EventType TargetEvent)
{
    /// <summary>The history's distinct items other than the target: what "exclude seen" leaves out of the ranking.</summary>
    public int[] Seen() => History.Where(h => h != Target).Distinct().ToArray();
}

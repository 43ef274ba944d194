using Urm.Core.Events;

namespace Urm.Core.Evaluation;

/// <summary>
/// One held-out target: the user's events before it (oldest -> newest, item rows of the card matrix)
/// and the target's row.
/// </summary>
public sealed record EvaluationCase(string UserId, IReadOnlyList<int> History, IReadOnlyList<EventType> Events, int Target);

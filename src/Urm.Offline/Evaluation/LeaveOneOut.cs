using Urm.Core.Events;

namespace Urm.Offline.Evaluation;

/// <summary>
/// Splits events exactly as the trainer does (urm_train/data.py, read_events + SequenceData): events of
/// items outside the catalog are dropped; each user's events are ordered by time, ties keeping file
/// order; a user with at least <see cref="MinEvents"/> events gives a test case (target = last event,
/// history = everything before it) and a validation case (target = second last, history = everything
/// before that), and trains on all but the last two; a user with fewer events only trains.
/// Repeated items are kept: a repeated view is a signal. Events of held-out items (the trainer's
/// new_item_share, the manifest's newItems) are dropped from the training parts only: validation and
/// test histories and targets keep them, as the trainer's SequenceData does.
/// </summary>
public static class LeaveOneOut
{
    public const int MinEvents = 3;

    /// <param name="events">Events in file order.</param>
    /// <param name="rowOf">Item id -> row of the card matrix (the catalog's items).</param>
    /// <param name="heldOut">Rows whose events no training part keeps; null or empty for none.</param>
    public static LeaveOneOutData Split(IEnumerable<UserEvent> events, IReadOnlyDictionary<string, int> rowOf, IReadOnlySet<int>? heldOut = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(rowOf);
        var perUser = new Dictionary<string, List<(DateTimeOffset Time, int Row, EventType Type)>>(StringComparer.Ordinal);
        var users = new List<string>();
        var unknown = 0;
        foreach (var e in events)
        {
            if (!rowOf.TryGetValue(e.ItemId, out var row))
            {
                unknown++;
                continue;
            }
            if (!perUser.TryGetValue(e.UserId, out var list))
            {
                perUser[e.UserId] = list = [];
                users.Add(e.UserId);
            }
            list.Add((e.Timestamp, row, e.Type));
        }

        var training = new List<int[]>(users.Count);
        var validation = new List<EvaluationCase>();
        var test = new List<EvaluationCase>();
        var tooShort = 0;
        foreach (var user in users)
        {
            // OrderBy is stable: equal timestamps keep file order, as the trainer's sort by (time, line).
            var ordered = perUser[user].OrderBy(e => e.Time).ToArray();
            var rows = ordered.Select(e => e.Row).ToArray();
            var types = ordered.Select(e => e.Type).ToArray();
            if (rows.Length < MinEvents)
            {
                tooShort++;
                training.Add(Trained(rows, heldOut));
                continue;
            }
            var n = rows.Length;
            training.Add(Trained(rows[..(n - 2)], heldOut));
            validation.Add(new EvaluationCase(user, rows[..(n - 2)], types[..(n - 2)], rows[n - 2], types[n - 2]));
            test.Add(new EvaluationCase(user, rows[..(n - 1)], types[..(n - 1)], rows[n - 1], types[n - 1]));
        }
        return new LeaveOneOutData(training, validation, test, tooShort, unknown);
    }

    private static int[] Trained(int[] part, IReadOnlySet<int>? heldOut)
        => heldOut is null || heldOut.Count == 0 ? part : part.Where(row => !heldOut.Contains(row)).ToArray();
}

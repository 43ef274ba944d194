using Urm.Core.Events;
using Urm.Core.Models.Package;

namespace Urm.Core.Models.Runtime;

/// <summary>
/// The model's learned repeat term (the manifest's <c>repeat</c> section, <see cref="RepeatSection"/>):
/// for the tasks it lists, an item already in the model history (the newest sizes.L items the user
/// encoder reads) scores max_m &lt;u_m, c_i&gt; + term(i), where term(i) comes from the item's newest
/// occurrence there: its recency bucket and its event. It is part of the model's score (trained with
/// it), so serving and evaluation add it wherever they use that score, before any co-occurrence boost.
/// </summary>
public sealed class RepeatTerm
{
    // Term per recency bucket, indexed by (int)EventType: null where byEvent has no array for the
    // event's name, so that event adds nothing. Built once: a request only indexes arrays.
    private readonly float[]?[] _byEvent;
    private readonly int[] _starts;

    /// <param name="section">A section the manifest reader has checked (ascending starts from 0, arrays of their length).</param>
    public RepeatTerm(RepeatSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        Section = section;
        _starts = [.. section.RecencyStarts];
        var events = Enum.GetValues<EventType>();
        _byEvent = new float[]?[events.Max(e => (int)e) + 1];
        // The names UserEncoder looks the event ids up by (the manifest's eventTypes spelling).
        foreach (var e in events)
            if (section.ByEvent.TryGetValue(e.ToString().ToLowerInvariant(), out var terms)) _byEvent[(int)e] = [.. terms];
    }

    /// <summary>The manifest's section: tasks, recency bucket starts, terms by event.</summary>
    public RepeatSection Section { get; }

    /// <summary>Whether the model score of <paramref name="task"/> adds the term.</summary>
    public bool AppliesTo(string task) => Section.Tasks.Contains(task, StringComparer.Ordinal);

    /// <summary>
    /// The term of each distinct item of the model history, by row, only where it is not 0. An item's
    /// newest occurrence decides: recency r = model-history items after it (0 = the newest item), bucket
    /// b = the largest with RecencyStarts[b] ≤ r, term = ByEvent[its event's name][b]; an event whose name
    /// byEvent does not list (or an event without a name) gives 0.
    /// </summary>
    /// <param name="history">The model history as (row, event), oldest -> newest: exactly what the user encoder reads.</param>
    public Dictionary<int, float> TermRows(IReadOnlyList<(int Row, EventType Event)> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var terms = new Dictionary<int, float>();
        var seen = new HashSet<int>();
        for (var r = 0; r < history.Count; r++)
        {
            var (row, e) = history[history.Count - 1 - r];
            if (!seen.Add(row)) continue; // a newer occurrence already decided
            if ((uint)e >= (uint)_byEvent.Length || _byEvent[(int)e] is not { } byBucket) continue;
            if (byBucket[Bucket(r)] is var term && term != 0) terms[row] = term;
        }
        return terms;
    }

    /// <summary>The largest b with RecencyStarts[b] ≤ <paramref name="recency"/> (the first start is 0).</summary>
    public int Bucket(int recency)
    {
        var b = 0;
        while (b + 1 < _starts.Length && _starts[b + 1] <= recency) b++;
        return b;
    }
}

using Urm.Core.Events;

namespace Urm.Core.Kpi;

/// <summary>
/// Which events count for which recommendation, and the KPIs that follow. An event is attributed to the
/// recommendation it names when that recommendation is known, the event's item was among those shown, the
/// event is the same shopper's (when the recommendation had one) and it happened within the window after
/// the recommendation. Rates count recommendations, not events: a second click on the same answer adds nothing.
/// </summary>
public static class Attribution
{
    /// <summary>Whether <paramref name="e"/> counts for <paramref name="recommendation"/>.</summary>
    public static bool Attributed(RecommendationRecord recommendation, ArchivedEvent e, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(recommendation);
        ArgumentNullException.ThrowIfNull(e);
        if (!string.Equals(e.RecommendationId, recommendation.Id, StringComparison.Ordinal)) return false;
        if (!recommendation.Items.Contains(e.ItemId, StringComparer.Ordinal)) return false;
        if (e.Timestamp < recommendation.Time || e.Timestamp > recommendation.Time + window) return false;
        return SameShopper(recommendation, e);
    }

    /// <summary>
    /// The KPIs of <paramref name="recommendations"/> (those served in the report's range) given the events
    /// that name a recommendation; one row per arm, model version and task, ordered by arm (answers outside
    /// an experiment, with none, first), model version, then task.
    /// </summary>
    public static IReadOnlyList<KpiRow> Rows(IEnumerable<RecommendationRecord> recommendations, IEnumerable<ArchivedEvent> events, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(recommendations);
        ArgumentNullException.ThrowIfNull(events);
        var byId = new Dictionary<string, RecommendationRecord>(StringComparer.Ordinal);
        foreach (var r in recommendations) byId.TryAdd(r.Id, r);
        // Per recommendation, the kinds of attributed event it had: a set, so duplicates count once.
        var outcomes = new Dictionary<string, HashSet<EventType>>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.RecommendationId is null || !byId.TryGetValue(e.RecommendationId, out var r) || !Attributed(r, e, window)) continue;
            if (!outcomes.TryGetValue(r.Id, out var kinds)) outcomes[r.Id] = kinds = [];
            kinds.Add(e.Type);
        }
        return byId.Values
            .GroupBy(r => (r.Arm, r.ModelVersion, r.Task))
            .OrderBy(g => g.Key.Arm, StringComparer.Ordinal).ThenBy(g => g.Key.ModelVersion, StringComparer.Ordinal).ThenBy(g => g.Key.Task, StringComparer.Ordinal)
            .Select(g =>
            {
                var served = g.Count();
                int With(EventType type) => g.Count(r => outcomes.TryGetValue(r.Id, out var kinds) && kinds.Contains(type));
                return new KpiRow(g.Key.Arm, g.Key.ModelVersion, g.Key.Task, served, g.Sum(r => r.Items.Count),
                    KpiRate.Of(With(EventType.Click), served), KpiRate.Of(With(EventType.Cart), served), KpiRate.Of(With(EventType.Purchase), served));
            })
            .ToList();
    }

    /// <summary>
    /// The archive writes a signed-in shopper's event with <c>user_id</c> = the user (and the session, if sent)
    /// and an anonymous one with <c>user_id</c> = <c>session_id</c>: so a line names a user when its user_id is
    /// not its session. A recommendation for a user counts that user's events, one for a session that
    /// session's (signed in since or not), one for both either; one for nobody counts anyone's.
    /// </summary>
    private static bool SameShopper(RecommendationRecord r, ArchivedEvent e)
    {
        if (r.UserId is null && r.SessionId is null) return true;
        var eventUser = e.SessionId is null || !string.Equals(e.UserId, e.SessionId, StringComparison.Ordinal) ? e.UserId : null;
        return (r.UserId is not null && string.Equals(eventUser, r.UserId, StringComparison.Ordinal))
            || (r.SessionId is not null && string.Equals(e.SessionId, r.SessionId, StringComparison.Ordinal));
    }
}

using Urm.Core.Events;

namespace Urm.Core.Kpi;

/// <summary>
/// GET /api/kpi and `urm kpi`: the recommendations served in [from, to) from the log, joined with the events
/// that name one, from the event archive.
/// </summary>
/// <remarks>
/// Why the archive and not the profiles: a profile keeps only its newest events (Profiles__MaxEvents), may
/// expire them (Profiles__EventTtl) and moves a session's events into its user on sign-in, so a busy
/// shopper's click from last week can be gone from it; the archive keeps every accepted event as it came,
/// and an erasure takes a shopper out of both. Files are by the day an event was received, which is never
/// before the recommendation it names was served (its id did not exist before), so the read starts on
/// from's day; it ends a day after the last window closes (to + window) to take batches sent late, or today.
/// </remarks>
public sealed class KpiService(IRecommendationLog log, IEventArchive archive, KpiOptions? options = null, TimeProvider? time = null)
{
    /// <summary>How long after an attribution window closes an event may still arrive and be counted.</summary>
    public static TimeSpan LateArrival { get; } = TimeSpan.FromDays(1);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public KpiOptions Options { get; } = Checked(options ?? KpiOptions.Default);

    public async Task<KpiReport> ReportAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var window = Options.AttributionWindow;
        var served = new List<RecommendationRecord>();
        await foreach (var r in log.ReadAsync(from, to, cancellationToken).ConfigureAwait(false)) served.Add(r);
        var events = new List<ArchivedEvent>();
        if (served.Count > 0)
        {
            var ids = served.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            var last = Min(to + window + LateArrival, _time.GetUtcNow());
            await foreach (var e in archive.ReadAsync(Day(from), Day(Max(last, from)), cancellationToken).ConfigureAwait(false))
                if (e.RecommendationId is { } id && ids.Contains(id)) events.Add(e);
        }
        var rows = Attribution.Rows(served, events, window);
        return new KpiReport(from, to, window, rows, ArmComparison.Of(rows));
    }

    private static DateOnly Day(DateTimeOffset time) => DateOnly.FromDateTime(time.UtcDateTime);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static KpiOptions Checked(KpiOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count > 0 ? throw new ArgumentException(string.Join(" ", problems), nameof(options)) : options;
    }
}

using Urm.Core.Kpi;

namespace Urm.Http.Apis;

/// <summary>
/// The JSON of GET /api/kpi (docs/API.md): the range, the window in hours, one row per experiment arm, model
/// version and task, and during an experiment each arm's click-through against arm A's with its 95 % interval.
/// </summary>
public sealed record KpiView(DateTimeOffset From, DateTimeOffset To, double AttributionWindowHours, IReadOnlyList<KpiRow> Rows, IReadOnlyList<ArmComparison> Comparisons)
{
    public static KpiView Of(KpiReport report) => new(report.From, report.To, report.AttributionWindow.TotalHours, report.Rows, report.Comparisons);
}

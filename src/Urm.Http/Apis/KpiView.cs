using Urm.Core.Kpi;

namespace Urm.Http.Apis;

/// <summary>The JSON of GET /api/kpi (docs/API.md): the range, the window in hours, one row per model version and task.</summary>
public sealed record KpiView(DateTimeOffset From, DateTimeOffset To, double AttributionWindowHours, IReadOnlyList<KpiRow> Rows)
{
    public static KpiView Of(KpiReport report) => new(report.From, report.To, report.AttributionWindow.TotalHours, report.Rows);
}

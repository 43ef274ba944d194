namespace Urm.Core.Kpi;

/// <summary>
/// The answer of GET /api/kpi and `urm kpi`: one row per experiment arm, model version and task, served in
/// [From, To), and during an experiment each arm's click-through against the control's.
/// </summary>
public sealed record KpiReport(DateTimeOffset From, DateTimeOffset To, TimeSpan AttributionWindow, IReadOnlyList<KpiRow> Rows, IReadOnlyList<ArmComparison> Comparisons);

/// <summary>
/// One model version's answers to one task (in one experiment arm, or outside any: <paramref name="Arm"/> null):
/// how many were served and items shown, and for each kind of outcome how many recommendations had at
/// least one attributed event of that kind, over those served.
/// </summary>
public sealed record KpiRow(string? Arm, string ModelVersion, string Task, int Served, int ItemsShown, KpiRate Click, KpiRate Cart, KpiRate Purchase);

/// <summary><paramref name="Recommendations"/> with at least one attributed event, and <paramref name="Rate"/> = that / served (0 when none was served).</summary>
public sealed record KpiRate(int Recommendations, double Rate)
{
    public static KpiRate Of(int recommendations, int served) => new(recommendations, served == 0 ? 0 : (double)recommendations / served);
}

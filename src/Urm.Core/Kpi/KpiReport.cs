namespace Urm.Core.Kpi;

/// <summary>The answer of GET /api/kpi and `urm kpi`: one row per model version and task, served in [From, To).</summary>
public sealed record KpiReport(DateTimeOffset From, DateTimeOffset To, TimeSpan AttributionWindow, IReadOnlyList<KpiRow> Rows);

/// <summary>
/// One model version's answers to one task: how many were served and items shown, and for each kind of
/// outcome how many recommendations had at least one attributed event of that kind, over those served.
/// </summary>
public sealed record KpiRow(string ModelVersion, string Task, int Served, int ItemsShown, KpiRate Click, KpiRate Cart, KpiRate Purchase);

/// <summary><paramref name="Recommendations"/> with at least one attributed event, and <paramref name="Rate"/> = that / served (0 when none was served).</summary>
public sealed record KpiRate(int Recommendations, double Rate)
{
    public static KpiRate Of(int recommendations, int served) => new(recommendations, served == 0 ? 0 : (double)recommendations / served);
}

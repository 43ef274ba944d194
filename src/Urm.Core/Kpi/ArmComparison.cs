namespace Urm.Core.Kpi;

/// <summary>
/// An experiment arm's click-through against the control's (arm A): recommendations served and clicked
/// (at least one attributed click) in each, and <see cref="Difference"/> = treatment rate - control rate
/// with its 95 % interval (<see cref="RateDifference.Newcombe"/>). An interval that excludes 0 says the
/// arms differ at the 5 % level; with more than two arms each is compared with A, uncorrected for the
/// number of comparisons.
/// </summary>
/// <param name="Task">The task compared; null for all tasks together.</param>
public sealed record ArmComparison(
    string? Task,
    string Control,
    string Treatment,
    int ControlServed,
    int ControlClicked,
    int TreatmentServed,
    int TreatmentClicked,
    double Difference,
    double Low,
    double High)
{
    public double Confidence => 0.95;

    /// <summary>
    /// Every arm after the first (by name) against the first, for all tasks together and then for each task
    /// both served, from the report's rows; empty when the rows hold fewer than two arms.
    /// </summary>
    public static IReadOnlyList<ArmComparison> Of(IReadOnlyList<KpiRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var arms = rows.Where(r => r.Arm is not null).GroupBy(r => r.Arm!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (arms.Count < 2) return [];
        var control = arms[0];
        var tasks = rows.Where(r => r.Arm is not null).Select(r => r.Task).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var comparisons = new List<ArmComparison>();
        foreach (var treatment in arms.Skip(1))
            foreach (var task in tasks.Prepend(null))
            {
                var (cServed, cClicked) = Totals(control, task);
                var (tServed, tClicked) = Totals(treatment, task);
                if (cServed == 0 || tServed == 0) continue;
                var difference = RateDifference.Newcombe(tClicked, tServed, cClicked, cServed);
                comparisons.Add(new ArmComparison(task, control.Key, treatment.Key, cServed, cClicked, tServed, tClicked,
                    difference.Difference, difference.Low, difference.High));
            }
        return comparisons;
    }

    // An arm's rows may span model versions (a range across two experiments on the same arm names): they are summed.
    private static (int Served, int Clicked) Totals(IEnumerable<KpiRow> arm, string? task)
    {
        var rows = arm.Where(r => task is null || r.Task == task).ToList();
        return (rows.Sum(r => r.Served), rows.Sum(r => r.Click.Recommendations));
    }
}

using Urm.Core.Kpi;

namespace Urm.Core.Tests.Kpi;

/// <summary>Per-arm KPI rows and each arm's click-through against the control's, with its interval.</summary>
public sealed class ArmComparisonTests
{
    private static KpiRow Row(string? arm, string model, string task, int served, int clicked)
        => new(arm, model, task, served, served * 4, KpiRate.Of(clicked, served), KpiRate.Of(0, served), KpiRate.Of(0, served));

    [Fact]
    public void Two_arms_are_compared_over_all_tasks_and_per_task_as_treatment_minus_control()
    {
        var rows = new[]
        {
            Row(null, "m1", "next-item", 7, 7),   // outside the experiment: in no comparison
            Row("A", "m1", "next-item", 6, 2), Row("A", "m1", "search", 4, 1),
            Row("B", "m2", "next-item", 5, 4), Row("B", "m2", "search", 5, 5),
        };

        var comparisons = ArmComparison.Of(rows);

        Assert.Equal([null, "next-item", "search"], comparisons.Select(c => c.Task));
        var all = comparisons[0];
        Assert.Equal(("A", "B", 10, 3, 10, 9), (all.Control, all.Treatment, all.ControlServed, all.ControlClicked, all.TreatmentServed, all.TreatmentClicked));
        // 9/10 - 3/10 = 0.6, Newcombe's interval (0.1705, 0.8090): see RateDifferenceTests.
        Assert.Equal(0.6, all.Difference, 1e-12);
        Assert.Equal(0.1705, all.Low, 1e-4);
        Assert.Equal(0.8090, all.High, 1e-4);
        Assert.Equal(0.95, all.Confidence);
        var next = comparisons[1];
        Assert.Equal((6, 2, 5, 4), (next.ControlServed, next.ControlClicked, next.TreatmentServed, next.TreatmentClicked));
        Assert.Equal(RateDifference.Newcombe(4, 5, 2, 6), new RateDifference(next.Difference, next.Low, next.High));
    }

    [Fact]
    public void Every_further_arm_is_compared_with_the_first_and_a_task_one_arm_lacks_is_left_out()
    {
        var rows = new[] { Row("A", "m1", "next-item", 10, 1), Row("B", "m2", "next-item", 10, 2), Row("C", "m3", "next-item", 10, 3), Row("C", "m3", "search", 10, 3) };

        var comparisons = ArmComparison.Of(rows);

        Assert.Equal([(null, "B"), ("next-item", "B"), (null, "C"), ("next-item", "C")], comparisons.Select(c => (c.Task, c.Treatment)));
        Assert.All(comparisons, c => Assert.Equal("A", c.Control));
        // All tasks for C hold its search answers too: 6 clicked of 20.
        Assert.Equal((20, 6), (comparisons[2].TreatmentServed, comparisons[2].TreatmentClicked));
    }

    [Fact]
    public void Without_two_arms_there_is_nothing_to_compare()
    {
        Assert.Empty(ArmComparison.Of([Row(null, "m1", "next-item", 10, 1), Row(null, "m2", "next-item", 10, 2)]));
        Assert.Empty(ArmComparison.Of([Row("A", "m1", "next-item", 10, 1), Row(null, "m2", "next-item", 10, 2)]));
    }
}

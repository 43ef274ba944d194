using Urm.Core.Events;
using Urm.Core.Kpi;

namespace Urm.Core.Tests.Kpi;

/// <summary>Which events count for a recommendation, and the rates that follow.</summary>
public sealed class AttributionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private static RecommendationRecord Shown(string id = "r-1", string? user = "u-1", string? session = null, string model = "m1", string task = "next-item", string? arm = null)
        => new(id, T0, model, task, user, session, 3, ["sku-1", "sku-2", "sku-3"], arm);

    /// <summary>An archived event as the archive writes it: user_id the user, or the session for an anonymous shopper.</summary>
    private static ArchivedEvent Event(string item, EventType type = EventType.Click, string? user = "u-1", string? session = null, TimeSpan? after = null, string recommendation = "r-1")
        => new(user ?? session!, item, type, T0 + (after ?? TimeSpan.FromMinutes(5)), null, session, recommendation);

    [Fact]
    public void A_click_on_a_shown_item_by_the_same_user_within_the_window_is_attributed()
        => Assert.True(Attribution.Attributed(Shown(), Event("sku-2"), Window));

    [Fact]
    public void An_item_that_was_not_shown_is_not_attributed()
        => Assert.False(Attribution.Attributed(Shown(), Event("sku-9"), Window));

    [Fact]
    public void Another_users_event_is_not_attributed()
        => Assert.False(Attribution.Attributed(Shown(), Event("sku-2", user: "u-2"), Window));

    [Fact]
    public void An_anonymous_session_named_like_the_user_is_not_the_user()
        => Assert.False(Attribution.Attributed(Shown(), Event("sku-2", user: null, session: "u-1"), Window));

    [Fact]
    public void A_session_recommendation_counts_its_session_also_after_sign_in()
    {
        var shown = Shown(user: null, session: "s-1");
        Assert.True(Attribution.Attributed(shown, Event("sku-2", user: null, session: "s-1"), Window));
        Assert.True(Attribution.Attributed(shown, Event("sku-2", user: "u-7", session: "s-1"), Window));
        Assert.False(Attribution.Attributed(shown, Event("sku-2", user: null, session: "s-2"), Window));
    }

    [Fact]
    public void A_recommendation_for_nobody_counts_any_shopper()
        => Assert.True(Attribution.Attributed(Shown(user: null), Event("sku-2", user: "u-5"), Window));

    [Fact]
    public void An_event_after_the_window_or_before_the_recommendation_is_not_attributed()
    {
        Assert.True(Attribution.Attributed(Shown(), Event("sku-2", after: Window), Window));
        Assert.False(Attribution.Attributed(Shown(), Event("sku-2", after: Window + TimeSpan.FromSeconds(1)), Window));
        Assert.False(Attribution.Attributed(Shown(), Event("sku-2", after: TimeSpan.FromSeconds(-1)), Window));
    }

    [Fact]
    public void An_event_naming_another_recommendation_is_not_attributed()
        => Assert.False(Attribution.Attributed(Shown(), Event("sku-2", recommendation: "r-2"), Window));

    [Fact]
    public void Duplicate_clicks_count_once_per_recommendation_and_rates_are_over_those_served()
    {
        var rows = Attribution.Rows(
            [Shown("r-1"), Shown("r-2"), Shown("r-3"), Shown("r-4", model: "m2")],
            [
                Event("sku-1", recommendation: "r-1"), Event("sku-2", recommendation: "r-1"), Event("sku-1", recommendation: "r-1", after: TimeSpan.FromHours(1)),
                Event("sku-3", EventType.Cart, recommendation: "r-1"), Event("sku-3", EventType.Purchase, recommendation: "r-2"),
                Event("sku-9", recommendation: "r-3"), Event("sku-1", recommendation: "r-4"),
            ],
            Window);

        Assert.Equal(2, rows.Count);
        var m1 = rows[0];
        Assert.Equal(("m1", "next-item", 3, 9), (m1.ModelVersion, m1.Task, m1.Served, m1.ItemsShown));
        Assert.Equal(new KpiRate(1, 1.0 / 3), m1.Click);
        Assert.Equal(new KpiRate(1, 1.0 / 3), m1.Cart);
        Assert.Equal(new KpiRate(1, 1.0 / 3), m1.Purchase);
        Assert.Equal(("m2", 1, new KpiRate(1, 1.0)), (rows[1].ModelVersion, rows[1].Served, rows[1].Click));
    }

    [Fact]
    public void Rows_are_per_arm_model_and_task_with_answers_outside_the_experiment_first()
    {
        var rows = Attribution.Rows(
            [Shown("r-1", arm: "B", model: "m2"), Shown("r-2", arm: "A"), Shown("r-3", arm: "A"), Shown("r-4"), Shown("r-5", arm: "A", task: "search")],
            [Event("sku-1", recommendation: "r-1"), Event("sku-2", recommendation: "r-2")],
            Window);

        Assert.Equal([(null, "m1", "next-item", 1), ("A", "m1", "next-item", 2), ("A", "m1", "search", 1), ("B", "m2", "next-item", 1)],
            rows.Select(r => (r.Arm, r.ModelVersion, r.Task, r.Served)));
        Assert.Equal([0, 1, 0, 1], rows.Select(r => r.Click.Recommendations));
    }
}

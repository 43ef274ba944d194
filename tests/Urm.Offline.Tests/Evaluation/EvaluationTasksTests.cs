using Urm.Core.Events;
using Urm.Core.Features;
using Urm.Offline.Evaluation;

namespace Urm.Offline.Tests.Evaluation;

/// <summary>How each task poses the split's cases, on hand-made cases over six items (rows 0..5).</summary>
public sealed class EvaluationTasksTests
{
    // rows 0..5; row 4 has no category. "Beauty>Hairspray" is not under "Beauty>Hair".
    private static readonly string?[] Categories = ["Beauty>Hair", "Beauty > Hair > Dry", "Beauty>Skin", "beauty>hair", null, "Beauty>Hairspray"];

    // counts: item0 3, item1 2, item2 2, item3 1, item4 1, item5 0
    private static readonly int[][] Training = [[0, 1, 2], [0, 1, 3], [0, 2, 4]];

    private static EvaluationCase Case(string user, int target, EventType targetEvent, params int[] history)
        => new(user, history, history.Select((_, i) => i % 2 == 0 ? EventType.View : EventType.Cart).ToArray(), target, targetEvent);

    private static readonly EvaluationCase[] Split =
    [
        Case("a", 3, EventType.Purchase, 2, 5, 0),
        Case("b", 4, EventType.View, 1, 2),
        Case("c", 1, EventType.Purchase, 0, 1),    // target = its anchor
        Case("d", 2, EventType.Cart, 3, 0, 0, 1),
    ];

    [Fact]
    public void Next_item_keeps_every_case_and_excludes_only_with_exclude_seen()
    {
        var plain = EvaluationTasks.Cases("next-item", Split, null, excludeSeen: false);
        var seen = EvaluationTasks.Cases("next-item", Split, null, excludeSeen: true);

        Assert.Equal(Split, plain.Select(c => c.Case));
        Assert.All(plain, c => Assert.Null(c.Excluded));
        Assert.All(plain, c => Assert.Null(c.Candidates));
        Assert.Equal([2, 5, 0], seen[0].Excluded!);
        Assert.Equal([0], seen[2].Excluded!); // the target itself is never left out
    }

    [Fact]
    public void Next_purchase_keeps_the_purchase_targets()
    {
        var cases = EvaluationTasks.Cases("next-purchase", Split, null, excludeSeen: false);
        Assert.Equal(["a", "c"], cases.Select(c => c.Case.UserId));
        Assert.Equal(Split[0].History, cases[0].Case.History); // everything before the target
    }

    [Fact]
    public void Similar_reads_the_anchor_alone_and_never_ranks_it()
    {
        var cases = EvaluationTasks.Cases("similar", Split, null, excludeSeen: false);

        Assert.Equal(["a", "b", "d"], cases.Select(c => c.Case.UserId)); // c's target is its anchor
        Assert.Equal([0], cases[0].Case.History);
        Assert.Equal([EventType.View], cases[0].Case.Events);
        Assert.Equal([1], cases[2].Case.History);
        Assert.Equal([EventType.Cart], cases[2].Case.Events); // the anchor keeps its event type
        Assert.Equal([0], cases[0].Excluded!);                 // even without exclude-seen
        Assert.Equal([3, 2, 4], cases.Select(c => c.HistoryLength));
        Assert.Equal(cases.Select(c => c.Excluded), EvaluationTasks.Cases("similar", Split, null, excludeSeen: true).Select(c => c.Excluded));

        // Texts: anchor item0 (1,0,0), target item3 (0.6,0.8,0), item5 (0.8,0,0.6): content scores from the
        // anchor alone are 1, 0.6 and 0.8, so item5 is the one item above the target once the anchor is out.
        float[][] texts = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.6f, 0.8f, 0], [0, 0, 0], [0.8f, 0, 0.6f]];
        var content = new ContentBaseline(texts.Select((t, i) => new ItemFeatures($"i{i}", "h", t, null, [], -1)).ToArray());
        Assert.Equal(2, content.Rank(cases[0].Case));
        Assert.Equal(1, content.Ranks([cases[0]], new ParallelOptions())[0]);
        // Co-occurrence from the anchor alone: item0's neighbours at window 1 are item1 (2) and item2 (1).
        // Read from the whole history [2, 5, 0] instead, item2's own neighbours would lift item1 and item4 too.
        var coOccurrence = new CoOccurrenceBaseline(Training, 6, window: 1, recent: 3);
        Assert.Equal(2, coOccurrence.Rank(cases[0].Case, cases[0].Excluded));
    }

    [Fact]
    public void Category_keeps_categorised_targets_and_ranks_only_items_under_the_targets_path()
    {
        var cases = EvaluationTasks.Cases("category", Split, Categories, excludeSeen: false);

        Assert.Equal(["a", "c", "d"], cases.Select(c => c.Case.UserId)); // b's target has no category
        Assert.Equal("beauty>hair", cases[0].Category);                  // as the catalog spells it
        Assert.Equal([true, true, false, true, false, false], cases[0].Candidates!);
        Assert.Equal([false, true, false, false, false, false], cases[1].Candidates!); // a sub-category holds only itself
        Assert.Equal(Split[0].History, cases[0].Case.History);

        // Popularity: item3 (count 1) is under items 0, 1, 2 over the catalog, under 0 and 1 within Beauty>Hair.
        var popularity = new PopularityBaseline(Training, 6);
        Assert.Equal(3, popularity.Rank(cases[0].Case));
        Assert.Equal(2, popularity.Rank(cases[0].Case, cases[0].Excluded, cases[0].Candidates));
        // With exclude-seen, item0 (seen) leaves too; item2 was seen but was never a candidate.
        var seen = EvaluationTasks.Cases("category", Split, Categories, excludeSeen: true);
        Assert.Equal(1, popularity.Rank(seen[0].Case, seen[0].Excluded, seen[0].Candidates));
        Assert.Equal(0, popularity.Rank(cases[1].Case, cases[1].Excluded, cases[1].Candidates));
    }

    [Fact]
    public void Search_keeps_the_targets_with_a_held_out_query_and_carries_it()
    {
        string?[] queries = [null, "dry hair", "skin cream", null, null, null];
        var cases = EvaluationTasks.Cases("search", Split, null, excludeSeen: false, queries);
        var seen = EvaluationTasks.Cases("search", Split, null, excludeSeen: true, queries);

        Assert.Equal(["c", "d"], cases.Select(c => c.Case.UserId));
        Assert.Equal(["dry hair", "skin cream"], cases.Select(c => c.Query));
        Assert.Equal(Split[3].History, cases[1].Case.History); // the history goes with the query
        Assert.All(cases, c => Assert.Null(c.Candidates));
        Assert.Equal([3, 0, 1], seen[1].Excluded!);
    }

    [Fact]
    public void Explore_keeps_targets_outside_the_historys_categories_and_ranks_only_items_outside_them()
    {
        EvaluationCase[] split =
        [
            Case("a", 3, EventType.View, 2, 5, 0), // target beauty>hair, under the history's Beauty>Hair
            Case("b", 4, EventType.View, 1, 2),    // target without a category
            Case("d", 2, EventType.Cart, 3, 0, 1), // target Skin; the history is all hair
            Case("e", 5, EventType.View, 2),       // Hairspray is not under Skin
        ];
        var cases = EvaluationTasks.Cases("explore", split, Categories, excludeSeen: false);

        Assert.Equal(["d", "e"], cases.Select(c => c.Case.UserId));
        // Items under any history category leave, whatever their case; items without a category stay.
        Assert.Equal([false, false, true, false, true, true], cases[0].Candidates!);
        Assert.Equal([true, true, false, true, true, true], cases[1].Candidates!);
        Assert.Equal(split[2].History, cases[0].Case.History);

        // Popularity within the candidates: item2 (count 2) has no candidate above it.
        var popularity = new PopularityBaseline(Training, 6);
        Assert.Equal(0, popularity.Rank(cases[0].Case, cases[0].Excluded, cases[0].Candidates));
        Assert.Equal(4, popularity.Rank(cases[1].Case, cases[1].Excluded, cases[1].Candidates));
    }

    [Fact]
    public void Refuses_an_unknown_task_and_a_task_without_the_inputs_it_needs()
    {
        Assert.Throws<ArgumentException>(() => EvaluationTasks.Cases("trending", Split, null, excludeSeen: false));
        Assert.Throws<ArgumentException>(() => EvaluationTasks.Cases("search", Split, null, excludeSeen: false));
        Assert.Throws<ArgumentException>(() => EvaluationTasks.Cases("category", Split, null, excludeSeen: false));
        Assert.Throws<ArgumentException>(() => EvaluationTasks.Cases("explore", Split, null, excludeSeen: false));
    }

    [Fact]
    public void The_search_baseline_ranks_by_query_cosine_and_breaks_near_ties_by_popularity()
    {
        float[][] texts = [[1, 0, 0], [0.995f, 0.0998f, 0], [0, 1, 0], [0.6f, 0.8f, 0], [0, 0, 1], [0, 0, 0]];
        var content = new ContentBaseline(texts.Select((t, i) => new ItemFeatures($"i{i}", "h", t, null, [], -1)).ToArray());
        var c = new TaskCase(Case("u", 1, EventType.View, 2), 1, null, null, null, "query");
        float[] query = [1, 0, 0];
        var popularity = new PopularityBaseline(Training, 6);

        // cos: item0 1.0, item1 0.995: item1 ranks second by cosine alone
        Assert.Equal(1, content.QueryRanks([c], _ => query, null, new ParallelOptions())[0]);
        // rounded down to two decimals item0 (1.00) still leads; item1 (0.99) ties no one, so the same rank
        Assert.Equal(1, content.QueryRanks([c], _ => query, popularity.Counts, new ParallelOptions())[0]);
        // target item0 with a query between items 0 and 1: both round to 0.99, and item0 (count 3) wins the tie
        var first = c with { Case = Case("u", 0, EventType.View, 2) };
        float[] between = [0.9985f, 0.0548f, 0];
        Assert.Equal(0, content.QueryRanks([first], _ => between, popularity.Counts, new ParallelOptions())[0]);
        Assert.Equal(0, content.QueryRanks([c with { Case = Case("u", 1, EventType.View, 2) }], _ => between, null, new ParallelOptions())[0]);
    }
}

using Urm.Core.Events;
using Urm.Offline.Evaluation;

namespace Urm.Offline.Tests.Evaluation;

/// <summary>Baselines on hand-made sequences over 6 items (rows 0..5) whose answers are worked out by hand.</summary>
public sealed class BaselineTests
{
    // counts: item0 3, item1 2, item2 2, item3 1, item4 1, item5 0
    private static readonly int[][] Training = [[0, 1, 2], [0, 1, 3], [0, 2, 4]];

    private static EvaluationCase Case(int target, params int[] history)
        => new("u", history, history.Select(_ => EventType.View).ToArray(), target, EventType.View);

    [Fact]
    public void Popularity_counts_training_interactions()
    {
        var popularity = new PopularityBaseline(Training, 6);
        Assert.Equal([3, 2, 2, 1, 1, 0], popularity.Counts);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)] // only item0 has more
    [InlineData(2, 1)] // tied with item1: ties favour the target
    [InlineData(3, 3)]
    [InlineData(5, 5)] // never seen: everything with a count is above it
    public void Popularity_rank(int target, int rank)
        => Assert.Equal(rank, new PopularityBaseline(Training, 6).Rank(Case(target, 4)));

    [Fact]
    public void Excluding_seen_items_takes_only_those_above_the_target_out_of_its_rank()
    {
        var popularity = new PopularityBaseline(Training, 6);
        // target item3 (count 1) under items 0, 1, 2: the history holds item0 (above) and item5 (below) and item3 itself
        var seenCase = Case(3, 0, 5, 3, 0);
        Assert.Equal([0, 5], seenCase.Seen());
        Assert.Equal(3, popularity.Rank(seenCase));
        Assert.Equal(2, popularity.Rank(seenCase, seenCase.Seen()));

        var coOccurrence = new CoOccurrenceBaseline(Training, 6, window: 1, recent: 1);
        // history ends with item0: item1 (2 pairs) and item2 (1) score above item4 (0), and item0 too on the
        // popularity tie-break (count 3 against 1). Seen: item1 and item0, both above, so 3 -> 1.
        var co = Case(4, 1, 0);
        Assert.Equal(3, coOccurrence.Rank(co));
        Assert.Equal(1, coOccurrence.Rank(co, co.Seen()));
    }

    [Fact]
    public void Co_occurrence_counts_pairs_within_the_window_both_ways()
    {
        var baseline = new CoOccurrenceBaseline(Training, 6, window: 1, recent: 1);
        Assert.Equal(2, baseline.Count(0, 1)); // adjacent in the first two sequences
        Assert.Equal(2, baseline.Count(1, 0));
        Assert.Equal(0, baseline.Count(0, 3)); // two apart: outside window 1
        Assert.Equal(1, new CoOccurrenceBaseline(Training, 6, window: 2, recent: 1).Count(0, 3));
    }

    [Fact]
    public void Co_occurrence_ranks_neighbours_of_the_newest_item_first_then_by_popularity()
    {
        // window 1, newest item 1: neighbours 0 (2), 2 (1), 3 (1). 2 and 3 tie on co-occurrence; item 2
        // is more popular (2 vs 1), so the order is 0, 2, 3, then the rest by popularity: 1 (2), 4 (1), 5.
        var baseline = new CoOccurrenceBaseline(Training, 6, window: 1, recent: 1);
        Assert.Equal(0, baseline.Rank(Case(0, 4, 1)));
        Assert.Equal(1, baseline.Rank(Case(2, 4, 1)));
        Assert.Equal(2, baseline.Rank(Case(3, 4, 1)));
        Assert.Equal(3, baseline.Rank(Case(1, 4, 1)));
        Assert.Equal(4, baseline.Rank(Case(4, 4, 1)));
        Assert.Equal(5, baseline.Rank(Case(5, 4, 1)));
    }

    [Fact]
    public void Co_occurrence_weights_older_items_less()
    {
        // recent 2, history [3, 4] (4 newest). Window 1 neighbours: 4 -> {2: 1}; 3 -> {1: 1}.
        // Scores: item2 = 1 (weight 1), item1 = 1/2 (weight 1/2): item2 first, then item1, then by popularity.
        var baseline = new CoOccurrenceBaseline(Training, 6, window: 1, recent: 2);
        var scores = baseline.Scores([3, 4]);
        Assert.Equal(1.0, scores[2], 2);
        Assert.Equal(0.5, scores[1], 2);
        Assert.Equal(0, baseline.Rank(Case(2, 3, 4)));
        Assert.Equal(1, baseline.Rank(Case(1, 3, 4)));
        Assert.Equal(2, baseline.Rank(Case(0, 3, 4))); // popular, but co-occurs with neither
    }

    [Fact]
    public void Leave_one_out_splits_like_the_trainer()
    {
        var t0 = DateTimeOffset.FromUnixTimeSeconds(1_000);
        var rows = new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["c"] = 2, ["d"] = 3 };
        UserEvent E(string user, string item, int seconds, EventType type = EventType.View) => new(user, item, type, t0.AddSeconds(seconds));
        var events = new[]
        {
            E("u1", "c", 30), E("u1", "a", 10), E("u1", "b", 20, EventType.Purchase), E("u1", "d", 30), // d ties c: file order
            E("u2", "a", 5), E("u2", "b", 6),                                                          // too short
            E("u3", "zzz", 1), E("u3", "a", 2), E("u3", "b", 3), E("u3", "a", 4),                      // unknown item, repeat kept
        };

        var split = LeaveOneOut.Split(events, rows);

        Assert.Equal(1, split.UnknownItemEvents);
        Assert.Equal(1, split.TooShortUsers);
        Assert.Equal([[0, 1], [0, 1], [0]], split.Training);
        Assert.Equal(["u1", "u3"], split.Test.Select(c => c.UserId));
        Assert.Equal(3, split.Test[0].Target);
        Assert.Equal([0, 1, 2], split.Test[0].History);
        Assert.Equal([EventType.View, EventType.Purchase, EventType.View], split.Test[0].Events);
        Assert.Equal(2, split.Validation[0].Target);
        Assert.Equal([0, 1], split.Validation[0].History);
        Assert.Equal(0, split.Test[1].Target);
        Assert.Equal([0, 1], split.Test[1].History);
        Assert.Equal(EventType.View, split.Test[0].TargetEvent);
    }

    [Fact]
    public void Held_out_items_leave_the_training_parts_only_and_so_the_baselines()
    {
        var t0 = DateTimeOffset.FromUnixTimeSeconds(1_000);
        var rows = new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["c"] = 2, ["d"] = 3, ["e"] = 4 };
        UserEvent E(string user, string item, int seconds, EventType type = EventType.View) => new(user, item, type, t0.AddSeconds(seconds));
        var events = new[]
        {
            E("u1", "a", 1), E("u1", "b", 2), E("u1", "c", 3), E("u1", "d", 4), E("u1", "e", 5), // trains on a, b, c
            E("u2", "b", 1), E("u2", "d", 2),                                                   // too short: trains on both
            E("u3", "c", 1), E("u3", "d", 2), E("u3", "b", 3, EventType.Purchase),              // b is u3's test target
        };

        var split = LeaveOneOut.Split(events, rows, new HashSet<int> { 1 });

        // b (row 1) is gone from every training part, so a and c become neighbours, as in the trainer's flat arrays.
        Assert.Equal([[0, 2], [3], [2]], split.Training);
        Assert.Equal([0, 1, 2, 3], split.Test[0].History); // evaluation keeps it
        Assert.Equal([0, 1, 2], split.Validation[0].History);
        Assert.Equal(1, split.Test[1].Target);
        Assert.Equal(EventType.Purchase, split.Test[1].TargetEvent);
        Assert.Equal(0, new PopularityBaseline(split.Training, 5).Counts[1]);
        var coOccurrence = new CoOccurrenceBaseline(split.Training, 5, window: 1, recent: 1);
        Assert.Equal(0, coOccurrence.Count(0, 1));
        Assert.Equal(1, coOccurrence.Count(0, 2));
        // Without held-out rows the split is the trainer's plain one.
        Assert.Equal([[0, 1, 2], [1, 3], [2]], LeaveOneOut.Split(events, rows).Training);
    }
}

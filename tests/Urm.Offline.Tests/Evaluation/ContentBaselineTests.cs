using Urm.Core.Events;
using Urm.Core.Features;
using Urm.Offline.Evaluation;

namespace Urm.Offline.Tests.Evaluation;

/// <summary>The content-only baseline on six 3-d text vectors whose scores are worked out by hand.</summary>
public sealed class ContentBaselineTests
{
    // Unit vectors, except item4, which has no text (all zeros).
    private static readonly float[][] Texts =
    [
        [1, 0, 0],       // item0
        [0, 1, 0],       // item1
        [0, 0, 1],       // item2
        [0.6f, 0.8f, 0], // item3
        [0, 0, 0],       // item4
        [0.8f, 0, 0.6f], // item5
    ];

    private static ContentBaseline Baseline()
        => new(Texts.Select((t, i) => new ItemFeatures($"i{i}", "h", t, null, [], -1)).ToArray());

    private static EvaluationCase Case(int target, params int[] history)
        => new("u", history, history.Select(_ => EventType.View).ToArray(), target, EventType.View);

    [Fact]
    public void Scores_are_cosines_with_the_three_newest_items_weighted_by_recency()
    {
        // History [0, 1, 2], item2 newest: weights item2 1, item1 1/2, item0 1/3.
        // item0 1/3; item1 1/2; item2 1; item3 0.6/3 + 0.8/2 = 0.6; item4 0 (no text); item5 0.8/3 + 0.6 = 0.8667.
        var scores = Baseline().Scores([0, 1, 2]);

        double[] expected = [1 / 3.0, 0.5, 1.0, 0.6, 0.0, 0.8 / 3 + 0.6];
        Assert.Equal(expected.Length, scores.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], scores[i], 1e-6);
        // A fourth, older item does not count.
        Assert.Equal(scores, Baseline().Scores([5, 0, 1, 2]));
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(5, 1)]
    [InlineData(3, 2)]
    [InlineData(1, 3)]
    [InlineData(0, 4)]
    [InlineData(4, 5)] // no text: scores 0, under everything else here
    public void Rank_counts_items_scoring_strictly_higher(int target, int rank)
        => Assert.Equal(rank, Baseline().Rank(Case(target, 0, 1, 2)));

    [Fact]
    public void Items_without_text_score_zero_and_ties_count_for_the_target()
    {
        // History [0]: item0 1, item5 0.8, item3 0.6; items 1, 2 and 4 all score 0.
        var baseline = Baseline();
        Assert.Equal(0f, baseline.Scores([0])[4]);
        Assert.Equal(3, baseline.Rank(Case(4, 0)));
        Assert.Equal(3, baseline.Rank(Case(1, 0)));
    }

    [Fact]
    public void Exclusions_and_candidates_change_the_rank_as_for_the_other_baselines()
    {
        var baseline = Baseline();
        var c = Case(3, 0, 1, 2); // above item3 (0.6): item2 (1) and item5 (0.87)
        Assert.Equal(2, baseline.Rank(c));
        Assert.Equal(1, baseline.Rank(c, c.Seen())); // item2 was seen
        Assert.Equal(0, baseline.Rank(c, candidates: [true, true, false, true, true, false]));
        Assert.Equal(1, baseline.Rank(c, candidates: [false, false, false, true, false, true]));
    }

    [Fact]
    public void Ranks_in_blocks_equal_ranks_one_by_one()
    {
        // More cases than one block of users, with varied histories: the block buffers are reused.
        var random = new Random(9);
        var cases = Enumerable.Range(0, 150).Select(i =>
        {
            var history = Enumerable.Range(0, 1 + i % 5).Select(_ => random.Next(6)).ToArray();
            var c = Case(random.Next(6), history);
            return new TaskCase(c, history.Length, null, i % 3 == 0 ? c.Seen() : null, i % 4 == 0 ? [true, false, true, true, false, true] : null);
        }).ToArray();
        var baseline = Baseline();

        var ranks = baseline.Ranks(cases, new ParallelOptions { MaxDegreeOfParallelism = 2 });

        Assert.Equal(cases.Select(c => baseline.Rank(c.Case, c.Excluded, c.Candidates)), ranks);
    }
}

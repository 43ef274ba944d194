using Urm.Core.Evaluation;
using Urm.Core.Retrieval;

namespace Urm.Core.Tests.Evaluation;

/// <summary>
/// The evaluator's target rank with co-occurrence boosts (a blocked scan of model scores, then the boosted
/// rows put right) against brute force: every item's served score, counted when strictly above the target's.
/// </summary>
public sealed class ServedTargetRankTests
{
    [Fact]
    public void The_rank_with_boosts_is_the_brute_force_rank_of_the_served_score()
    {
        var random = new Random(31);
        var differs = 0;
        const int trials = 400;
        for (var trial = 0; trial < trials; trial++)
        {
            var n = random.Next(1, 70);
            var d = random.Next(1, 12);
            var m = random.Next(1, 5);
            // Coarse values now and then, so that model scores (and served scores) tie.
            var coarse = trial % 3 == 0;
            float Value() => coarse ? random.Next(-2, 3) / 2f : (float)(random.NextDouble() * 2 - 1);
            var cards = new CardMatrix(Enumerable.Range(0, n).Select(i => $"i{i}").ToArray(), Enumerable.Range(0, n * d).Select(_ => Value()).ToArray(), d);
            var users = Enumerable.Range(0, m * d).Select(_ => Value()).ToArray();
            var target = random.Next(n);
            var boosts = Enumerable.Range(0, n).Where(_ => random.NextDouble() < 0.3).ToDictionary(
                row => row, _ => coarse ? random.Next(1, 4) / 2f : (float)(random.NextDouble() < 0.5 ? random.NextDouble() * 1e-3 : random.NextDouble() * 3));
            var excluded = random.NextDouble() < 0.5 ? null
                : Enumerable.Range(0, n).Where(row => row != target && random.NextDouble() < 0.3).ToArray();
            var candidates = random.NextDouble() < 0.5 ? null
                : Enumerable.Range(0, n).Select(row => row == target || random.NextDouble() < 0.6).ToArray();

            float Served(int row) => SetRetriever.Score(cards.Row(row), users, m).Score + boosts.GetValueOrDefault(row);
            var expected = Enumerable.Range(0, n).Count(row =>
                (candidates is null || candidates[row]) && (excluded is null || !excluded.Contains(row)) && Served(row) > Served(target));

            var rank = OfflineEvaluator.TargetRank(cards, users, target, excluded, candidates, boosts);

            Assert.True(expected == rank, $"trial {trial}: brute force {expected}, evaluator {rank}");
            if (rank != OfflineEvaluator.TargetRank(cards, users, target, excluded, candidates)) differs++;
        }
        // The boosts changed many ranks, so the comparison above tested the correction, not the plain scan.
        Assert.InRange(differs, trials / 8, trials);
    }
}

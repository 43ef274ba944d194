using Urm.Core.Models.Runtime;
using Urm.Core.Retrieval;
using Urm.Offline.Evaluation;

namespace Urm.Offline.Tests.Evaluation;

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

    [Fact]
    public void The_rank_with_signed_adjustments_is_the_brute_force_rank_of_the_served_score()
    {
        var random = new Random(37);
        var differs = 0;
        var worse = 0;
        const int trials = 400;
        for (var trial = 0; trial < trials; trial++)
        {
            var n = random.Next(1, 70);
            var d = random.Next(1, 12);
            var m = random.Next(1, 5);
            var coarse = trial % 3 == 0;
            float Value() => coarse ? random.Next(-2, 3) / 2f : (float)(random.NextDouble() * 2 - 1);
            float Signed() => coarse ? random.Next(-3, 4) / 2f : (float)((random.NextDouble() * 2 - 1) * (random.NextDouble() < 0.5 ? 1e-3 : 3));
            var cards = new CardMatrix(Enumerable.Range(0, n).Select(i => $"i{i}").ToArray(), Enumerable.Range(0, n * d).Select(_ => Value()).ToArray(), d);
            var users = Enumerable.Range(0, m * d).Select(_ => Value()).ToArray();
            var target = random.Next(n);
            // Repeat terms of either sign on some rows (the target's too, now and then), boosts on others, both on a few.
            var adjustments = new Dictionary<int, ScoreAdjustment>();
            for (var row = 0; row < n; row++)
            {
                var repeat = random.NextDouble() < 0.3 ? Signed() : 0f;
                var boost = random.NextDouble() < 0.2 ? (coarse ? random.Next(1, 4) / 2f : (float)(random.NextDouble() * 3)) : 0f;
                if (repeat != 0 || boost != 0) adjustments[row] = new ScoreAdjustment(repeat, boost);
            }
            var excluded = random.NextDouble() < 0.5 ? null
                : Enumerable.Range(0, n).Where(row => row != target && random.NextDouble() < 0.3).ToArray();
            var candidates = random.NextDouble() < 0.5 ? null
                : Enumerable.Range(0, n).Select(row => row == target || random.NextDouble() < 0.6).ToArray();

            // (score + repeat) + boost in float, by definition.
            float Served(int row)
            {
                var score = SetRetriever.Score(cards.Row(row), users, m).Score;
                if (!adjustments.TryGetValue(row, out var a)) return score;
                if (a.Repeat != 0) score += a.Repeat;
                if (a.Boost != 0) score += a.Boost;
                return score;
            }
            var expected = Enumerable.Range(0, n).Count(row =>
                (candidates is null || candidates[row]) && (excluded is null || !excluded.Contains(row)) && Served(row) > Served(target));

            var rank = OfflineEvaluator.TargetRank(cards, users, target, excluded, candidates, adjustments);

            Assert.True(expected == rank, $"trial {trial}: brute force {expected}, evaluator {rank}");
            var plain = OfflineEvaluator.TargetRank(cards, users, target, excluded, candidates);
            if (rank != plain) differs++;
            if (rank > plain) worse++;
        }
        Assert.InRange(differs, trials / 8, trials);
        // Ranks moved both ways (a negative term on the target, or a positive one on another row, makes it worse).
        Assert.InRange(worse, 1, differs - 1);
    }
}

using Urm.Offline.Evaluation;

namespace Urm.Offline.Tests.Evaluation;

public sealed class RankingMetricsTests
{
    [Theory]
    [InlineData(0, 5, 1.0, 1.0)]                 // top: 1/log2(2) = 1
    [InlineData(1, 5, 1.0, 0.63092975357145743)] // 1/log2(3)
    [InlineData(3, 5, 1.0, 0.43067655807339306)] // 1/log2(5)
    [InlineData(4, 5, 1.0, 0.38685280723454163)] // 1/log2(6), last place inside K
    [InlineData(5, 5, 0.0, 0.0)]                 // rank = K is outside
    [InlineData(9, 10, 1.0, 0.28906482631788782)] // 1/log2(11)
    public void One_target(int rank, int k, double hit, double ndcg)
    {
        Assert.Equal(hit, RankingMetrics.HitRate(rank, k));
        Assert.Equal(ndcg, RankingMetrics.Ndcg(rank, k), 12);
    }

    [Fact]
    public void Means_over_users()
    {
        // ranks 0, 2, 7, 30: HR@5 = 2/4; NDCG@5 = (1 + 1/log2 4) / 4 = 1.5/4; HR@10 = 3/4;
        // NDCG@10 = (1 + 0.5 + 1/log2 9) / 4; HR@20 = HR@10 (30 is outside).
        var summary = RankingMetrics.Summarize([0, 2, 7, 30]);

        Assert.Equal(4, summary.Users);
        Assert.Equal(0.5, summary.HitRate(5), 12);
        Assert.Equal(0.375, summary.Ndcg(5), 12);
        Assert.Equal(0.75, summary.HitRate(10), 12);
        Assert.Equal((1.5 + 1 / Math.Log2(9)) / 4, summary.Ndcg(10), 12);
        Assert.Equal(0.75, summary.HitRate(20), 12);
    }

    [Fact]
    public void No_users_give_zeros()
    {
        var summary = RankingMetrics.Summarize([], [10]);
        Assert.Equal(0, summary.Users);
        Assert.Equal(0.0, summary.HitRate(10));
    }

    [Fact]
    public void Rank_counts_strictly_higher_scores_so_ties_favour_the_target()
    {
        float[] scores = [0.5f, 0.9f, 0.5f, 0.1f, 0.7f];
        Assert.Equal(2, RankingMetrics.RankOf(scores, 0)); // 0.9 and 0.7 beat it; the other 0.5 does not
        Assert.Equal(2, RankingMetrics.RankOf(scores, 2));
        Assert.Equal(0, RankingMetrics.RankOf(scores, 1));
        Assert.Equal(4, RankingMetrics.RankOf(scores, 3));
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1, "1-4")]
    [InlineData(4, "1-4")]
    [InlineData(5, "5-9")]
    [InlineData(19, "10-19")]
    [InlineData(20, "20-49")]
    [InlineData(50, "50+")]
    [InlineData(700, "50+")]
    public void History_length_buckets(int length, string bucket) => Assert.Equal(bucket, HistoryLengthBuckets.Of(length));
}

using Microsoft.Extensions.Logging.Abstractions;
using Urm.Core.Features.Text;
using Urm.Core.Kpi;
using Urm.Core.Models.Runtime;
using Urm.Core.Serving;
using Urm.Http.Serving;

namespace Urm.Http.Tests.Serving;

/// <summary>Recording answers for KPIs never holds answers up for long: a log that fails is left alone for a while.</summary>
public class RecordingTests
{
    [Fact]
    public async Task After_a_failed_write_answers_go_out_unrecorded_without_asking_the_log_until_the_pause_ends()
    {
        var log = new FailingLog();
        var time = new SteppedTime();
        var serving = new UrmServing(new ModelHost(), new NoText(), NullLogger<UrmServing>.Instance, recommendations: log, time: time);
        var valid = new RequestValidator(RecommendationOptions.Default.Limits);
        Assert.True(valid.TryValidate(new RecommendRequest(null, [new HistoryEvent("sku-1", "view", null)], null, null, null, null, null, null, null), out var request, out _));
        var response = new RecommendResponse([], [], "m1", 1.0);

        var first = await serving.RecordAsync(request!, response, CancellationToken.None);
        var second = await serving.RecordAsync(request!, response, CancellationToken.None);
        time.Advance(UrmServing.RecordPause + TimeSpan.FromSeconds(1));
        var third = await serving.RecordAsync(request!, response, CancellationToken.None);

        Assert.Equal(2, log.Calls);   // the first and, after the pause, the third: never the second
        Assert.All(new[] { first, second, third }, r => Assert.StartsWith("r-", r.RecommendationId));
        Assert.Equal(3, new[] { first, second, third }.Select(r => r.RecommendationId).Distinct().Count());
    }

    private sealed class FailingLog : IRecommendationLog
    {
        public int Calls { get; private set; }

        public Task RecordAsync(RecommendationRecord record, CancellationToken cancellationToken)
        {
            Calls++;
            throw new InvalidOperationException("the log's container is missing");
        }

        public IAsyncEnumerable<RecommendationRecord> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
            => AsyncEnumerable.Empty<RecommendationRecord>();

        public Task<int> EraseShopperAsync(string userId, IReadOnlySet<string> sessionIds, CancellationToken cancellationToken)
            => throw new InvalidOperationException("the log's container is missing");
    }

    private sealed class SteppedTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private sealed class NoText : ITextEncoder
    {
        public int Dimension => 384;

        public float[][] Encode(IReadOnlyList<string> texts) => texts.Select(_ => new float[384]).ToArray();
    }
}

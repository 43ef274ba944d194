using System.Diagnostics;
using Urm.Core.Serving;
using Urm.Core.Telemetry;
using Urm.Core.Tests.Models;
using static Urm.Core.Tests.Serving.ServingCatalog;

namespace Urm.Core.Tests.Telemetry;

/// <summary>A recommend request's latency, split into the model's pass and the retrieval, by task.</summary>
[Collection(TinyModelCollection.Name)]
public sealed class RecommendMetricsTests(TinyModel model)
{
    private static RecommendRequest Request(string task) => new(
        "u-1", [new HistoryEvent(Id(1), "view", null), new HistoryEvent(Id(2), "cart", null)], task, null, null, null, null, 5, null);

    [Fact]
    public async Task A_recommend_records_one_model_and_one_retrieval_time_tagged_with_its_task()
    {
        using var recorder = new MetricsRecorder();
        var service = Service(model, metrics: recorder.Metrics);

        var response = await service.RecommendAsync(Request(" Similar"), CancellationToken.None);

        var modelTime = Assert.Single(recorder.Of(UrmMetrics.RecommendModelDuration));
        var retrievalTime = Assert.Single(recorder.Of(UrmMetrics.RecommendRetrievalDuration));
        // The task as served (normalised), not as sent.
        Assert.Equal(RecommendTasks.Similar, modelTime.Tags[UrmMetrics.TaskTag]);
        Assert.Equal(RecommendTasks.Similar, retrievalTime.Tags[UrmMetrics.TaskTag]);
        Assert.Single(modelTime.Tags);
        // Two parts of the time the answer reports, back to back: together never more than it.
        Assert.InRange(modelTime.Value, 0, response.ElapsedMs);
        Assert.InRange(retrievalTime.Value, 0, response.ElapsedMs);
        Assert.True(modelTime.Value + retrievalTime.Value <= response.ElapsedMs + 1e-9,
            $"model {modelTime.Value} ms + retrieval {retrievalTime.Value} ms > the answer's {response.ElapsedMs} ms");
    }

    [Fact]
    public async Task Each_request_is_counted_under_its_own_task()
    {
        using var recorder = new MetricsRecorder();
        var service = Service(model, metrics: recorder.Metrics);

        await service.RecommendAsync(Request(RecommendTasks.NextItem), CancellationToken.None);
        await service.RecommendAsync(Request(RecommendTasks.Explore), CancellationToken.None);
        await service.RecommendAsync(Request(RecommendTasks.NextItem), CancellationToken.None);

        Assert.Equal([RecommendTasks.NextItem, RecommendTasks.Explore, RecommendTasks.NextItem],
            recorder.Of(UrmMetrics.RecommendRetrievalDuration).Select(m => m.Tags[UrmMetrics.TaskTag]));
        Assert.Equal(3, recorder.Of(UrmMetrics.RecommendModelDuration).Count);
    }

    [Fact]
    public async Task The_request_span_carries_its_task_and_both_times()
    {
        // A source of this test's own, so no other test's spans are sampled here.
        using var source = new ActivitySource($"urm-test-{Guid.NewGuid():N}");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => ReferenceEquals(s, source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var recorder = new MetricsRecorder();
        var service = Service(model, metrics: recorder.Metrics);

        using var span = source.StartActivity("recommend")!;
        await service.RecommendAsync(Request(RecommendTasks.Search) with { Query = "a gentle face cream" }, CancellationToken.None);

        Assert.Equal(RecommendTasks.Search, span.GetTagItem("urm.task"));
        Assert.Equal(Assert.Single(recorder.Of(UrmMetrics.RecommendModelDuration)).Value, span.GetTagItem("urm.model_ms"));
        Assert.Equal(Assert.Single(recorder.Of(UrmMetrics.RecommendRetrievalDuration)).Value, span.GetTagItem("urm.retrieval_ms"));
    }
}

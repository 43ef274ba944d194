using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Urm.Core.Telemetry;
using Urm.Core.Tests.Telemetry;

namespace Urm.Cli.Tests.Serve;

/// <summary>`urm serve` records the same metrics as the Functions app, on its own meter "Urm".</summary>
[Collection(ServeCollection.Name)]
public sealed class ServeMetricsTests(ServeFixture serve)
{
    private MetricsRecorder Recorder() => new(serve.Services.GetRequiredService<UrmMetrics>());

    [Fact]
    public async Task A_recommend_request_records_its_model_and_retrieval_times_under_its_task()
    {
        using var recorder = Recorder();

        var answer = await Problem.PostAsync(serve.Client, """{"history": ["sku-1", "sku-2"], "task": "Explore", "k": 3}""");

        Assert.True(answer.Status == HttpStatusCode.OK, answer.Body);
        Assert.Equal("explore", Assert.Single(recorder.Of(UrmMetrics.RecommendModelDuration)).Tags[UrmMetrics.TaskTag]);
        Assert.Equal("explore", Assert.Single(recorder.Of(UrmMetrics.RecommendRetrievalDuration)).Tags[UrmMetrics.TaskTag]);
    }

    [Fact]
    public async Task Posted_events_are_counted_by_outcome()
    {
        using var recorder = Recorder();
        var user = $"u-{Guid.NewGuid():N}";

        var answer = await EventsApiTests.PostEventsAsync(serve.Client, $$"""
            {"events": [{"userId": "{{user}}", "itemId": "sku-1", "event": "click"}, {"userId": "{{user}}", "event": "click"}]}
            """);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.Body);
        Assert.Equal(1, recorder.Sum(UrmMetrics.EventsIngested, UrmMetrics.OutcomeTag, "accepted"));
        Assert.Equal(1, recorder.Sum(UrmMetrics.EventsIngested, UrmMetrics.OutcomeTag, "rejected"));
    }

    [Fact]
    public async Task The_cards_served_gauge_is_the_health_card_count()
    {
        using var recorder = Recorder();
        var health = await serve.WaitForHealthAsync(_ => true, TimeSpan.FromSeconds(10));

        var cards = Assert.Single(recorder.Observe(UrmMetrics.CardsServed));

        Assert.Equal(health.GetProperty("cardCount").GetInt32(), cards.Value);
        Assert.Equal(health.GetProperty("modelVersion").GetString(), cards.Tags[UrmMetrics.ModelTag]);
    }

    [Fact]
    public async Task A_catalog_file_without_a_valid_row_counts_a_rejected_run()
    {
        using var recorder = Recorder();
        var broken = Path.Combine(serve.CatalogDirectory, $"broken-{Guid.NewGuid():N}.jsonl");
        try
        {
            await File.WriteAllTextAsync(broken, "this is not a JSON object\n");

            // The watcher encodes it after its debounce: wait for the count, within a bound.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (recorder.Sum(UrmMetrics.CatalogRuns, UrmMetrics.OutcomeTag, UrmMetrics.RunRejected) == 0 && DateTime.UtcNow < deadline)
                await Task.Delay(100);

            Assert.Equal(1, recorder.Sum(UrmMetrics.CatalogRuns, UrmMetrics.OutcomeTag, UrmMetrics.RunRejected));
        }
        finally
        {
            File.Delete(broken);
            File.Delete(Urm.Cli.Serve.CatalogFileEncoder.ReportPath(broken));
        }
    }
}

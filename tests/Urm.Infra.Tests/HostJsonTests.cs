using System.Globalization;
using System.Text.Json.Nodes;

namespace Urm.Infra.Tests;

/// <summary>
/// host.json (the repository root's, which the app publishes) bounds every function execution on both
/// plans: Elastic Premium and Functions on Container Apps default to 30 minutes and allow no bound at all.
/// Its queue settings suit catalog chunks (catalog-chunks): few at a time per instance, five tries. Its
/// telemetry mode matches the worker's.
/// </summary>
public sealed class HostJsonTests
{
    private static JsonObject Host() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root(), "host.json")))!.AsObject();

    [Fact]
    public void Function_timeout_is_an_explicit_bound_within_the_premium_scale_in_grace()
    {
        var text = (string?)Host()["functionTimeout"];
        Assert.NotNull(text);
        // "-1" (or null) would mean unbounded: a hung execution would hold its instance for ever.
        var timeout = TimeSpan.ParseExact(text, @"hh\:mm\:ss", CultureInfo.InvariantCulture);
        // Longer than the plans' 30-minute default: at the ~45 items/s measured per instance, one
        // execution encoding 100,000 items needs ~40 minutes (issue 11).
        Assert.True(timeout > TimeSpan.FromMinutes(30), $"functionTimeout {timeout} is not above the 30-minute default.");
        // No longer than the 60 minutes Elastic Premium guarantees a running execution when it scales in:
        // a longer bound would promise what the platform does not keep.
        Assert.True(timeout <= TimeSpan.FromMinutes(60), $"functionTimeout {timeout} is past the 60-minute scale-in grace.");
    }

    [Fact]
    public void Queue_triggers_take_few_chunks_at_a_time_and_poison_after_five_dequeues()
    {
        var queues = Host()["extensions"]?["queues"];
        Assert.NotNull(queues);
        // Five tries, then the host moves the message to catalog-chunks-poison and the run fails with a report.
        Assert.Equal(5, (int?)queues["maxDequeueCount"]);

        // The most messages one queue function runs at once on an instance is batchSize + newBatchThreshold.
        // A chunk is minutes of encoding on every core: more than two per instance only contend, and
        // messages an instance holds cannot go to an idle one the plan has scaled out to.
        var batchSize = (int?)queues["batchSize"];
        var newBatchThreshold = (int?)queues["newBatchThreshold"];
        Assert.NotNull(batchSize);
        Assert.NotNull(newBatchThreshold);
        Assert.InRange(batchSize.Value, 1, 2);
        Assert.InRange(newBatchThreshold.Value, 0, 2);
        Assert.True(batchSize + newBatchThreshold <= 2,
            $"batchSize {batchSize} + newBatchThreshold {newBatchThreshold} lets one instance run more than two chunks at once.");

        // A failed chunk comes back after a back-off, not at once, so a transient fault (throttling, an
        // instance restarting) has time to pass; short enough that four back-offs hardly delay the run.
        var backOff = Duration(queues, "visibilityTimeout");
        Assert.InRange(backOff, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

        // An idle instance looks at the queue at least this often (the default backs off to a minute).
        var polling = Duration(queues, "maxPollingInterval");
        Assert.InRange(polling, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void The_host_exports_through_OpenTelemetry_as_the_worker_does_and_logs_its_own_warnings_only()
    {
        var host = Host();
        // The worker exports its own logs, spans and metrics with the Azure Monitor exporter (UrmTelemetry in
        // src/Urm.Functions); a host in the same mode correlates with them and does not relay its logs again.
        Assert.Equal("OpenTelemetry", (string?)host["telemetryMode"], ignoreCase: true);
        // The Application Insights SDK's settings (sampling, live metrics filters) do nothing in this mode: none
        // is left to suggest otherwise.
        Assert.Null(host["logging"]?["applicationInsights"]);
        // The host's own Information lines ("Executing 'Functions.Recommend'") repeat its request spans.
        Assert.Equal("Warning", (string?)host["logging"]?["logLevel"]?["default"]);
    }

    private static TimeSpan Duration(JsonNode section, string key)
    {
        var text = (string?)section[key];
        Assert.NotNull(text);
        return TimeSpan.ParseExact(text, @"hh\:mm\:ss", CultureInfo.InvariantCulture);
    }
}

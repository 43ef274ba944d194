using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Net.Sockets;
using Urm.Cli.Bench;

namespace Urm.Cli.Tests.Serve;

/// <summary>The load generator behind `urm bench load`: every request it sends is one the server answers with 200.</summary>
[Collection(ServeCollection.Name)]
public sealed class LoadTestTests(ServeFixture serve)
{
    private LoadSettings Settings(Uri url) => new(
        url, serve.Model.Items.Select(i => i.Id).ToList(), serve.Model.Items.Select(i => i.Category!).Distinct().ToList(),
        TimeSpan.FromSeconds(2), Concurrency: 4, History: 20, K: 10, Key: null);

    [Fact]
    public async Task Every_request_of_the_mix_is_answered_with_200()
    {
        var result = await new LoadTest(Settings(serve.Client.BaseAddress!)).RunAsync(default);

        Assert.True(result.Requests > 4, $"only {result.Requests} requests in 2 s");
        Assert.Equal(0, result.Errors);
        Assert.Equal([200], result.StatusCounts.Keys);
        Assert.Equal(result.Requests, result.LatenciesMs.Length);
    }

    [Fact]
    public async Task Without_the_events_mix_no_event_is_posted()
    {
        var test = new LoadTest(Settings(serve.Client.BaseAddress!) with { Duration = TimeSpan.FromMilliseconds(500) });

        var result = await test.RunAsync(default);

        Assert.Null(test.Mix);
        Assert.Null(result.Events);
    }

    [Fact]
    public async Task With_the_events_mix_every_batch_is_accepted_and_every_accepted_event_reads_back_from_profiles_and_archive()
    {
        // A profile keeps its newest 200 events (Profiles__MaxEvents): 2 s of a fast server posts over 1,000
        // events, more than 200 each for 5 shoppers, so 50 share them and every event stays in its profile.
        var settings = Settings(serve.Client.BaseAddress!) with { EventsPerRecommend = 3, Users = 50 };
        var test = new LoadTest(settings);
        var started = DateTimeOffset.UtcNow;

        var result = await test.RunAsync(default);

        Assert.Equal(0, result.Errors);
        var events = result.Events!;
        Assert.Equal(0, events.Errors);
        Assert.Equal(result.Requests, events.Batches);
        Assert.Equal(3 * events.Batches, events.Posted);
        Assert.Equal((events.Posted, 0, 0), (events.Accepted, events.Duplicates, events.Rejected));
        // A batch opens with a click naming its recommendation when the answer showed items (with the
        // shoppers' profiles growing over a small catalog, a category's unseen items can run out).
        Assert.InRange(events.NamingRecommendation, 1, events.Batches);
        Assert.Equal(events.Posted, events.AcceptedEvents.Select(e => e.EventId).Distinct().Count());
        Assert.All(events.AcceptedEvents, e => Assert.Contains(e.UserId, test.Mix!.Users));

        var readback = await EventReadback.CountAsync(settings, events.AcceptedEvents, Path.Combine(serve.Folder, "events"), started, default);

        Assert.Equal(new ReadbackResult(events.Accepted, events.Accepted, events.Accepted, events.Accepted), readback);
        // Each of those clicks is attributed: the collection's tests run one at a time, so the range holds this run alone.
        var kpi = await serve.Client.GetFromJsonAsync<JsonElement>($"/api/kpi?from={Uri.EscapeDataString(started.ToString("O"))}");
        var rows = kpi.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(result.Requests, rows.Sum(r => r.GetProperty("served").GetInt32()));
        Assert.Equal(events.NamingRecommendation, rows.Sum(r => r.GetProperty("click").GetProperty("recommendations").GetInt32()));
    }

    [Fact]
    public async Task Events_the_server_never_got_are_not_counted_readable()
    {
        var settings = Settings(serve.Client.BaseAddress!);
        var mix = new ShopperEventMix(["sku-1"], 2, 1, "never-" + Guid.NewGuid().ToString("N")[..8]);
        var invented = mix.Batch(new Random(1), mix.Users[0], null, "w0", 0);

        var readback = await EventReadback.CountAsync(settings, invented, Path.Combine(serve.Folder, "events"), DateTimeOffset.UtcNow, default);

        Assert.Equal(new ReadbackResult(2, 0, 0, 0), readback);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_counts_as_errors()
    {
        // A port nothing listens on: every request fails to connect and is counted, not lost.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await new LoadTest(Settings(new Uri($"http://127.0.0.1:{port}")) with { Duration = TimeSpan.FromMilliseconds(300) }).RunAsync(default);

        Assert.True(result.Requests > 0);
        Assert.Equal(result.Requests, result.Errors);
        Assert.Equal([0], result.StatusCounts.Keys);
    }
}

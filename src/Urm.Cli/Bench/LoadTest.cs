using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Urm.Core.Profiles;

namespace Urm.Cli.Bench;

/// <summary>What `urm bench load` sends and for how long.</summary>
/// <param name="Key">A Functions key (x-functions-key), for an app in Azure; never printed.</param>
/// <param name="EventsPerRecommend">Events posted in one POST /api/events batch after each recommend (<see cref="ShopperEventMix"/>); 0 sends recommends alone.</param>
/// <param name="Users">How many shoppers the events mix draws from.</param>
public sealed record LoadSettings(
    Uri Url, IReadOnlyList<string> ItemIds, IReadOnlyList<string> Categories, TimeSpan Duration, int Concurrency, int History, int K, string? Key,
    int EventsPerRecommend = 0, int Users = 1000);

/// <summary>
/// The outcome: every recommend's latency (ms) and each status code's count (transport failures count as
/// status 0), and with the events mix its events' (<see cref="Events"/>; null without it).
/// </summary>
public sealed record LoadResult(int Requests, TimeSpan Elapsed, double[] LatenciesMs, IReadOnlyDictionary<int, int> StatusCounts, EventLoadResult? Events = null)
{
    private readonly LatencyPercentiles _percentiles = new(LatenciesMs);

    public int Errors => StatusCounts.Where(s => s.Key != 200).Sum(s => s.Value);

    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    public double Percentile(double p) => _percentiles.At(p);
}

/// <summary>
/// A closed-loop load generator for POST /api/recommend: <c>Concurrency</c> workers each send a request,
/// wait for the answer and send the next, for the whole duration. The mix is what a shop sends: mostly
/// next-item with a random history, some similar, search and category requests. With
/// <see cref="LoadSettings.EventsPerRecommend"/> each request names a shopper of the pool (half the next-item
/// requests then send no history: the stored profile is all there is) and is followed by that shopper's
/// batch of events; the worker waits for both.
/// </summary>
public sealed class LoadTest(LoadSettings settings)
{
    private static readonly string[] Queries = ["warm winter boots", "coffee for the office", "gift for a runner", "lamp for reading", "gentle face cream"];

    // Fields left null are left out: a recommend without a shopper is the body it always was.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The shoppers and events of this run; null without the events mix.</summary>
    public ShopperEventMix? Mix { get; } = settings.EventsPerRecommend > 0
        ? new ShopperEventMix(settings.ItemIds, settings.EventsPerRecommend, settings.Users, "load-" + Guid.NewGuid().ToString("N")[..8])
        : null;

    /// <summary>A client for <paramref name="settings"/>' server: its key, and a connection per worker.</summary>
    public static HttpClient Client(LoadSettings settings)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = settings.Url, Timeout = TimeSpan.FromSeconds(30) };
        if (settings.Key is { Length: > 0 } key) http.DefaultRequestHeaders.Add("x-functions-key", key);
        return http;
    }

    public async Task<LoadResult> RunAsync(CancellationToken cancellationToken)
    {
        if (settings.ItemIds.Count == 0) throw new ArgumentException("The load test needs item ids to build histories from; pass a catalog with items.");
        using var http = Client(settings);

        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, settings.Concurrency)
            .Select(w => Task.Run(() => WorkerAsync(http, w, new Random(1000 + w), clock, cancellationToken), cancellationToken))
            .ToArray();
        var outcomes = await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        var statuses = outcomes.SelectMany(o => o.Statuses).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        var latencies = outcomes.SelectMany(o => o.Latencies).ToArray();
        return new LoadResult(latencies.Length, elapsed, latencies, statuses, Mix is null ? null : Combined(outcomes.Select(o => o.Events)));
    }

    private sealed class WorkerEvents
    {
        public List<double> Latencies { get; } = [];
        public List<int> Statuses { get; } = [];
        public List<LoadEvent> Accepted { get; } = [];
        public int Posted { get; set; }
        public int NamingRecommendation { get; set; }
        public int Duplicates { get; set; }
        public int Rejected { get; set; }
    }

    private static EventLoadResult Combined(IEnumerable<WorkerEvents> workers)
    {
        var all = workers.ToList();
        return new EventLoadResult(
            all.Sum(w => w.Statuses.Count), all.Sum(w => w.Posted), all.Sum(w => w.NamingRecommendation), all.Sum(w => w.Accepted.Count),
            all.Sum(w => w.Duplicates), all.Sum(w => w.Rejected), all.SelectMany(w => w.Latencies).ToArray(),
            all.SelectMany(w => w.Statuses).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count()), all.SelectMany(w => w.Accepted).ToList());
    }

    private async Task<(List<double> Latencies, List<int> Statuses, WorkerEvents Events)> WorkerAsync(HttpClient http, int worker, Random random, Stopwatch clock, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        var statuses = new List<int>();
        var events = new WorkerEvents();
        var sent = 0;
        while (clock.Elapsed < settings.Duration && !cancellationToken.IsCancellationRequested)
        {
            var user = Mix?.User(random);
            var (status, answer, latency) = await PostAsync(http, "/api/recommend", Body(random, user), cancellationToken).ConfigureAwait(false);
            latencies.Add(latency);
            statuses.Add(status);
            if (Mix is null || user is null) continue;

            var batch = Mix.Batch(random, user, status == 200 ? Shown(answer) : null, $"w{worker}", sent);
            sent += batch.Count;
            var (batchStatus, batchAnswer, batchLatency) = await PostAsync(http, "/api/events", new { events = batch }, cancellationToken).ConfigureAwait(false);
            events.Latencies.Add(batchLatency);
            events.Statuses.Add(batchStatus);
            events.Posted += batch.Count;
            events.NamingRecommendation += batch.Count(e => e.RecommendationId is not null);
            if (batchStatus == 200) Tally(events, batch, batchAnswer);
        }
        return (latencies, statuses, events);
    }

    /// <summary>Sends one request and reads the whole answer: a server is only done when the client has it.</summary>
    private static async Task<(int Status, byte[] Answer, double LatencyMs)> PostAsync(HttpClient http, string path, object body, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        int status;
        byte[] answer = [];
        try
        {
            using var response = await http.PostAsJsonAsync(path, body, Json, cancellationToken).ConfigureAwait(false);
            answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            status = 0;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            status = 0; // the client's timeout
        }
        return (status, answer, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    private static ShownItems? Shown(byte[] answer)
    {
        using var document = JsonDocument.Parse(answer);
        var root = document.RootElement;
        if (!root.TryGetProperty("recommendationId", out var id) || id.GetString() is not { } recommendationId) return null;
        return new ShownItems(recommendationId, root.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!).ToList());
    }

    /// <summary>Counts each event of a 200 answer by the outcome the server gave it (matched by index).</summary>
    private static void Tally(WorkerEvents events, IReadOnlyList<LoadEvent> batch, byte[] answer)
    {
        using var document = JsonDocument.Parse(answer);
        foreach (var result in document.RootElement.GetProperty("results").EnumerateArray())
        {
            var index = result.GetProperty("index").GetInt32();
            switch (result.GetProperty("status").GetString())
            {
                case EventOutcome.Accepted: events.Accepted.Add(batch[index]); break;
                case EventOutcome.Duplicate: events.Duplicates++; break;
                default: events.Rejected++; break;
            }
        }
    }

    private object Body(Random random, string? user)
    {
        var ids = settings.ItemIds;
        var history = Enumerable.Range(0, 1 + random.Next(settings.History)).Select(_ => ids[random.Next(ids.Count)]).ToArray();
        return random.Next(10) switch
        {
            7 => new { userId = user, task = "similar", anchorItemId = ids[random.Next(ids.Count)], k = settings.K },
            8 => new { userId = user, task = "search", query = Queries[random.Next(Queries.Length)], history, k = settings.K },
            9 when settings.Categories.Count > 0 => new { userId = user, task = "category", category = settings.Categories[random.Next(settings.Categories.Count)], history, k = settings.K },
            // With a shopper, half the next-item requests leave the history to the stored profile.
            _ when user is not null && random.Next(2) == 0 => new { userId = user, task = "next-item", k = settings.K },
            _ => (object)new { userId = user, task = "next-item", history, k = settings.K },
        };
    }
}

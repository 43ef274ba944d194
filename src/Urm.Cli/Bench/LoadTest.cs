using System.Diagnostics;
using System.Net.Http.Json;

namespace Urm.Cli.Bench;

/// <summary>What `urm bench load` sends and for how long.</summary>
/// <param name="Key">A Functions key (x-functions-key), for an app in Azure; never printed.</param>
public sealed record LoadSettings(Uri Url, IReadOnlyList<string> ItemIds, IReadOnlyList<string> Categories, TimeSpan Duration, int Concurrency, int History, int K, string? Key);

/// <summary>The outcome: every request's latency (ms) and each status code's count; transport failures count as status 0.</summary>
public sealed record LoadResult(int Requests, TimeSpan Elapsed, double[] LatenciesMs, IReadOnlyDictionary<int, int> StatusCounts)
{
    public int Errors => StatusCounts.Where(s => s.Key != 200).Sum(s => s.Value);

    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    private readonly double[] _sorted = LatenciesMs.Order().ToArray();

    public double Percentile(double p)
    {
        if (_sorted.Length == 0) return double.NaN;
        var sorted = _sorted;
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
    }
}

/// <summary>
/// A closed-loop load generator for POST /api/recommend: <c>Concurrency</c> workers each send a request,
/// wait for the answer and send the next, for the whole duration. The mix is what a shop sends: mostly
/// next-item with a random history, some similar, search and category requests.
/// </summary>
public sealed class LoadTest(LoadSettings settings)
{
    private static readonly string[] Queries = ["warm winter boots", "coffee for the office", "gift for a runner", "lamp for reading", "gentle face cream"];

    public async Task<LoadResult> RunAsync(CancellationToken cancellationToken)
    {
        if (settings.ItemIds.Count == 0) throw new ArgumentException("The load test needs item ids to build histories from; pass a catalog with items.");
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { BaseAddress = settings.Url, Timeout = TimeSpan.FromSeconds(30) };
        if (settings.Key is { Length: > 0 } key) http.DefaultRequestHeaders.Add("x-functions-key", key);

        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, settings.Concurrency)
            .Select(w => Task.Run(() => WorkerAsync(http, new Random(1000 + w), clock, cancellationToken), cancellationToken))
            .ToArray();
        var outcomes = await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        var statuses = outcomes.SelectMany(o => o.Statuses).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        var latencies = outcomes.SelectMany(o => o.Latencies).ToArray();
        return new LoadResult(latencies.Length, elapsed, latencies, statuses);
    }

    private async Task<(List<double> Latencies, List<int> Statuses)> WorkerAsync(HttpClient http, Random random, Stopwatch clock, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        var statuses = new List<int>();
        while (clock.Elapsed < settings.Duration && !cancellationToken.IsCancellationRequested)
        {
            var body = Body(random);
            var start = Stopwatch.GetTimestamp();
            int status;
            try
            {
                using var response = await http.PostAsJsonAsync("/api/recommend", body, cancellationToken).ConfigureAwait(false);
                // Read the whole answer: a server is only done when the client has it.
                await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
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
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            statuses.Add(status);
        }
        return (latencies, statuses);
    }

    private object Body(Random random)
    {
        var ids = settings.ItemIds;
        var history = Enumerable.Range(0, 1 + random.Next(settings.History)).Select(_ => ids[random.Next(ids.Count)]).ToArray();
        return random.Next(10) switch
        {
            7 => new { task = "similar", anchorItemId = ids[random.Next(ids.Count)], k = settings.K },
            8 => new { task = "search", query = Queries[random.Next(Queries.Length)], history, k = settings.K },
            9 when settings.Categories.Count > 0 => new { task = "category", category = settings.Categories[random.Next(settings.Categories.Count)], history, k = settings.K },
            _ => (object)new { task = "next-item", history, k = settings.K },
        };
    }
}

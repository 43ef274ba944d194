using System.CommandLine;
using System.Globalization;
using Urm.Cli.Bench;
using Urm.Core.Catalog;

namespace Urm.Cli.Commands;

/// <summary>`urm bench load`: a closed-loop HTTP load test of POST /api/recommend, and optionally POST /api/events, against a running server.</summary>
public static class BenchLoadCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The server, e.g. http://127.0.0.1:5080 (urm serve) or https://<app>.azurewebsites.net.", Required = true };
        var catalog = new Option<FileInfo>("--catalog") { Description = "The catalog the server holds: histories, anchors and categories are drawn from it.", Required = true };
        var seconds = new Option<int>("--seconds") { Description = "How long to send.", DefaultValueFactory = _ => 30 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once.", DefaultValueFactory = _ => 16 };
        var history = new Option<int>("--history") { Description = "Longest history per request (each request draws 1..N ids).", DefaultValueFactory = _ => 20 };
        var k = new Option<int>("--k") { Description = "Items per answer.", DefaultValueFactory = _ => 10 };
        var key = new Option<string?>("--key") { Description = "Function key for an app in Azure (sent as x-functions-key; never printed). Default: $URM_FUNCTION_KEY." };
        var events = new Option<int>("--events-per-recommend") { Description = "After each recommend, post this many events of the same shopper in one POST /api/events batch (the first a click on a shown item naming the recommendationId), then read the accepted ones back. 0: recommends alone.", DefaultValueFactory = _ => 0 };
        var users = new Option<int>("--users") { Description = "With events: the pool of shoppers requests and events are drawn from (named afresh each run).", DefaultValueFactory = _ => 1000 };
        var eventsDir = new Option<DirectoryInfo?>("--events-dir") { Description = "With events: urm serve's --events-dir on this machine, to count accepted events in the archive as well as in the profiles." };
        var command = new Command("load", "HTTP load test of POST /api/recommend (and, with --events-per-recommend, POST /api/events): requests/s, latency percentiles, errors, events readable afterwards.")
        {
            url, catalog, seconds, concurrency, history, k, key, events, users, eventsDir,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (parse.GetValue(seconds) < 1 || parse.GetValue(concurrency) < 1 || parse.GetValue(history) < 1 || parse.GetValue(k) is < 1 or > 200)
                throw new ArgumentException("--seconds, --concurrency and --history must be at least 1, and --k from 1 to 200.");
            if (parse.GetValue(events) is < 0 or > 500 || parse.GetValue(users) < 1)
                throw new ArgumentException("--events-per-recommend must be from 0 to 500 (one batch), and --users at least 1.");
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
                throw new ArgumentException($"--url '{parse.GetValue(url)}' is not an http(s) address; e.g. http://127.0.0.1:5080.");
            var file = parse.GetValue(catalog)!;
            var ids = new List<string>();
            var categories = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var item in CatalogReader.ReadAsync(file.FullName, new ReadReport(), cancellationToken))
            {
                ids.Add(item.Id);
                if (item.Category is { } c) categories.Add(c);
            }
            var settings = new LoadSettings(server, ids, categories.Order(StringComparer.Ordinal).ToList(), TimeSpan.FromSeconds(parse.GetValue(seconds)),
                parse.GetValue(concurrency), parse.GetValue(history), parse.GetValue(k), parse.GetValue(key) ?? Environment.GetEnvironmentVariable("URM_FUNCTION_KEY"),
                parse.GetValue(events), parse.GetValue(users));
            var test = new LoadTest(settings);
            Console.WriteLine($"POST {settings.Url}api/recommend for {settings.Duration.TotalSeconds:F0} s at concurrency {settings.Concurrency} ({ids.Count:N0} items to draw from)"
                + (test.Mix is { } mix ? $", each followed by {mix.EventsPerRecommend} events to POST /api/events, {mix.Users.Count:N0} shoppers {mix.RunTag}-u*" : ""));
            var started = DateTimeOffset.UtcNow;
            var result = await test.RunAsync(cancellationToken);
            Console.WriteLine(Invariant($"{result.Requests:N0} requests in {result.Elapsed.TotalSeconds:F1} s: {result.RequestsPerSecond:F1} req/s; latency p50 {result.Percentile(50):F1} ms, p90 {result.Percentile(90):F1} ms, p99 {result.Percentile(99):F1} ms, max {result.Percentile(100):F1} ms"));
            Console.WriteLine($"errors: {result.Errors}" + Statuses(result.StatusCounts));
            var failures = new List<string>();
            if (result.Errors > 0) failures.Add($"{result.Errors} of {result.Requests} requests did not get a 200.");
            if (result.Events is { } e)
            {
                Console.WriteLine(Invariant($"events: {e.Posted:N0} posted in {e.Batches:N0} batches ({e.NamingRecommendation:N0} naming their recommendation): {e.Accepted:N0} accepted, {e.Duplicates:N0} duplicates, {e.Rejected:N0} rejected; batch latency p50 {e.Percentile(50):F1} ms, p90 {e.Percentile(90):F1} ms, p99 {e.Percentile(99):F1} ms, max {e.Percentile(100):F1} ms"));
                Console.WriteLine($"event errors: {e.Errors}" + Statuses(e.StatusCounts));
                var readback = await EventReadback.CountAsync(settings, e.AcceptedEvents, parse.GetValue(eventsDir)?.FullName, started, cancellationToken);
                Console.WriteLine($"{readback.Readable:N0} of {readback.Accepted:N0} accepted events readable (profiles via GET /api/users/{{id}}: {readback.InProfiles:N0}"
                    + (readback.InArchive is { } archived ? $"; event archive {parse.GetValue(eventsDir)!.FullName}: {archived:N0})" : "; no --events-dir, archive not read)"));
                if (e.Errors > 0) failures.Add($"{e.Errors} of {e.Batches} event batches did not get a 200.");
                // The generator sends only valid events with fresh ids: a rejection or a duplicate is the server's fault.
                if (e.Rejected + e.Duplicates > 0) failures.Add($"{e.Rejected} events were rejected and {e.Duplicates} taken for duplicates.");
                if (readback.Readable < readback.Accepted) failures.Add($"{readback.Accepted - readback.Readable} accepted events cannot be read back.");
            }
            if (failures.Count > 0) throw new InvalidOperationException(string.Join(" ", failures));
        }));
        return command;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Statuses(IReadOnlyDictionary<int, int> counts)
    {
        var bad = counts.Where(s => s.Key != 200).Select(s => $"{(s.Key == 0 ? "no answer" : s.Key.ToString(CultureInfo.InvariantCulture))}: {s.Value}").ToList();
        return bad.Count == 0 ? "" : " (" + string.Join(", ", bad) + ")";
    }
}

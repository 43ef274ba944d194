using System.CommandLine;
using System.Globalization;
using Urm.Cli.Bench;
using Urm.Core.Catalog;

namespace Urm.Cli.Commands;

/// <summary>`urm bench load`: a closed-loop HTTP load test of POST /api/recommend against a running server.</summary>
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
        var command = new Command("load", "HTTP load test of POST /api/recommend: requests/s, latency percentiles and errors.") { url, catalog, seconds, concurrency, history, k, key };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (parse.GetValue(seconds) < 1 || parse.GetValue(concurrency) < 1 || parse.GetValue(history) < 1 || parse.GetValue(k) is < 1 or > 200)
                throw new ArgumentException("--seconds, --concurrency and --history must be at least 1, and --k from 1 to 200.");
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
                parse.GetValue(concurrency), parse.GetValue(history), parse.GetValue(k), parse.GetValue(key) ?? Environment.GetEnvironmentVariable("URM_FUNCTION_KEY"));
            Console.WriteLine($"POST {settings.Url}api/recommend for {settings.Duration.TotalSeconds:F0} s at concurrency {settings.Concurrency} ({ids.Count:N0} items to draw from)");
            var result = await new LoadTest(settings).RunAsync(cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Requests:N0} requests in {result.Elapsed.TotalSeconds:F1} s: {result.RequestsPerSecond:F1} req/s; latency p50 {result.Percentile(50):F1} ms, p90 {result.Percentile(90):F1} ms, p99 {result.Percentile(99):F1} ms, max {result.Percentile(100):F1} ms"));
            Console.WriteLine($"errors: {result.Errors}" + (result.Errors == 0 ? "" : " (" + string.Join(", ", result.StatusCounts.Where(s => s.Key != 200).Select(s => $"{(s.Key == 0 ? "no answer" : s.Key.ToString(CultureInfo.InvariantCulture))}: {s.Value}")) + ")"));
            if (result.Errors > 0) throw new InvalidOperationException($"{result.Errors} of {result.Requests} requests did not get a 200.");
        }));
        return command;
    }
}

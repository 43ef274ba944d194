using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Urm.Cli.Commands;
using Urm.Cli.Serve;
using Urm.Core.Catalog;
using Urm.Core.Events;
using Urm.Core.Kpi;
using Urm.Offline.Samples;

namespace Urm.Cli.Demo;

/// <summary>
/// `urm demo`: the whole loop on this machine with no Azure and no Python. The sample shop is written,
/// `urm serve`'s host starts over the shipped demo model and encodes the catalog into the embedded
/// store, requests of every task go to it over HTTP, a catalog change is re-encoded incrementally, and
/// the shop's loop closes: a shopper's events in, a recommendation by user id, a click on it, the KPIs.
/// </summary>
public sealed class DemoRun(DemoSettings settings, TextWriter output)
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public async Task<DemoOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        output.WriteLine("Urm demo: a sample shop, encoded, served and asked, on this machine (no Azure, no Python).");
        output.WriteLine();

        // 1. The sample shop. A fresh store each run, so the first encoding fuses every item; the raw
        //    feature cache beside it is kept, so a second run skips MiniLM and ResNet18.
        Directory.CreateDirectory(settings.WorkDirectory);
        var shop = await SampleShop.WriteAsync(settings.WorkDirectory, settings.Items, settings.Shoppers, cancellationToken).ConfigureAwait(false);
        var store = Path.Combine(settings.WorkDirectory, "urm.db");
        foreach (var file in new[] { store, store + "-wal", store + "-shm", CatalogFileEncoder.ReportPath(shop.Catalog) }) File.Delete(file);
        // The event archive goes with the store: a run's KPIs read this run's events alone.
        var events = Path.Combine(settings.WorkDirectory, "events");
        if (Directory.Exists(events)) Directory.Delete(events, recursive: true);
        var started = DateTimeOffset.UtcNow;
        var catalog = shop.Items.ToDictionary(i => i.Id);
        Step(1, $"Sample shop: {shop.ItemCount} products with drawn pictures, {shop.EventCount:N0} shopper events -> {settings.WorkDirectory}");

        // 2. The server: urm serve's host on a free port, watching the catalog folder.
        // The demo prints what the server did itself: the server logs only warnings and errors.
        var serve = new ServeSettings(settings.ModelDirectory, store, Path.GetDirectoryName(shop.Catalog), "http://127.0.0.1:0")
        {
            EventsDirectory = events,
            Debounce = TimeSpan.FromMilliseconds(200),
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        };
        await using var app = await ServeHost.CreateAsync(serve, cancellationToken).ConfigureAwait(false);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var url = app.Urls.First();
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        var first = await WaitForReportAsync(shop.Catalog, after: DateTime.MinValue, cancellationToken).ConfigureAwait(false);
        var health = await GetJsonAsync(http, "/api/health", cancellationToken).ConfigureAwait(false);
        Step(2, $"Server on {url}, model {health["modelVersion"]} ({settings.ModelDirectory}), execution provider {health["executionProvider"]}");
        Step(3, $"Catalog encoded into the embedded store ({store}): {Summary(first)}");
        output.WriteLine();

        // 3. Requests of every task, as a web shop would send them.
        var shopper = await ReadHistoryAsync(shop.Events, settings.Shopper, cancellationToken).ConfigureAwait(false);
        var latest = shopper[^1].ItemId;
        var requests = new (string Title, object Body)[]
        {
            ($"next-item for {settings.Shopper} (their last {shopper.Count} events)", new { history = shopper.Select(Event), task = "next-item", k = settings.K }),
            ("next-purchase, same shopper, rules: under 40, no Beauty", new { history = shopper.Select(Event), task = "next-purchase", k = settings.K, rules = new { priceMax = 40, excludeCategories = new[] { "Beauty" } } }),
            ($"similar to {latest} ({catalog[latest].Title})", new { task = "similar", anchorItemId = latest, k = settings.K }),
            ($"search \"{SearchQuery}\", no history", new { task = "search", query = SearchQuery, k = settings.K }),
            ($"search \"{SearchQuery}\" for {settings.Shopper}: the same query, their history", new { history = shopper.Select(Event), task = "search", query = SearchQuery, k = settings.K }),
            ("category \"Kitchen > Coffee\" for the same shopper", new { history = shopper.Select(Event), task = "category", category = "Kitchen > Coffee", k = settings.K }),
            ("explore: away from the departments the shopper has seen", new { history = shopper.Select(Event), task = "explore", k = settings.K }),
            ("a new visitor: empty history", new { k = settings.K }),
        };
        var answered = 0;
        List<string>? anonymousSearch = null;
        foreach (var (title, body) in requests)
        {
            if (title.StartsWith("next-item", StringComparison.Ordinal)) PrintHistory(shopper, catalog);
            var answer = await PostAsync(http, body, cancellationToken).ConfigureAwait(false);
            PrintAnswer(title, answer, catalog);
            answered++;
            if (!title.StartsWith("search", StringComparison.Ordinal)) continue;
            var ids = answer["items"]!.AsArray().Select(i => (string)i!["itemId"]!).ToList();
            if (anonymousSearch is null) anonymousSearch = ids;
            else output.WriteLine($"    = the history changed {ids.Count(id => !anonymousSearch.Contains(id))} of the {ids.Count} search answers (the search task is trained with and without a shopper's history)");
        }
        var bad = await http.PostAsync("/api/recommend", new StringContent("""{"history": ["sku-1"], "k": 0, "task": "nope"}""", Encoding.UTF8, "application/json"), cancellationToken).ConfigureAwait(false);
        var problem = JsonNode.Parse(await bad.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))!;
        output.WriteLine($"  > a bad request ({{\"k\": 0, \"task\": \"nope\"}}) -> {(int)bad.StatusCode} {bad.Content.Headers.ContentType?.MediaType}");
        foreach (var error in problem["errors"]!.AsArray()) output.WriteLine($"      {error!["field"]}: {error["message"]}");
        output.WriteLine();

        // 4. A catalog change: one title edited, one product dropped. The watcher re-encodes the snapshot.
        var edited = catalog[settings.EditedItem] with { Title = catalog[settings.EditedItem].Title + " (new waterproof edition)" };
        var dropped = catalog.Keys.Last();
        var before = File.GetLastWriteTimeUtc(CatalogFileEncoder.ReportPath(shop.Catalog));
        var changed = Path.Combine(Path.GetDirectoryName(shop.Catalog)!, "catalog.jsonl.tmp");
        await using (var writer = new CatalogWriter(File.Create(changed)))
        {
            foreach (var product in catalog.Values.Where(i => i.Id != dropped))
                await writer.WriteAsync(product.Id == edited.Id ? edited : product, cancellationToken).ConfigureAwait(false);
        }
        File.Move(changed, shop.Catalog, overwrite: true);
        var second = await WaitForReportAsync(shop.Catalog, before, cancellationToken).ConfigureAwait(false);
        Step(4, $"Catalog changed ({settings.EditedItem}'s title edited, {dropped} dropped) and re-encoded: {Summary(second)}");
        // The server reads the store's catalog version at most once a second (CardIndexOptions), so the
        // change shows within that interval of the report, not at once: ask until it does (10 s at most).
        JsonNode item;
        HttpResponseMessage gone;
        for (var tries = 0; ; tries++)
        {
            item = await GetJsonAsync(http, $"/api/items/{settings.EditedItem}", cancellationToken).ConfigureAwait(false);
            gone = await http.GetAsync($"/api/items/{dropped}", cancellationToken).ConfigureAwait(false);
            if (((string?)item["title"] == edited.Title && gone.StatusCode == HttpStatusCode.NotFound) || tries == 40) break;
            gone.Dispose();
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
        output.WriteLine($"  GET /api/items/{settings.EditedItem} -> \"{item["title"]}\"");
        output.WriteLine($"  GET /api/items/{dropped} -> {(int)gone.StatusCode} (retired: never recommended again)");
        output.WriteLine();

        // 5. The loop a shop runs: its events in, a recommendation by user id alone, a click on it, the KPIs.
        var kpi = await LoopAsync(http, app.Services.GetRequiredService<KpiService>(), shopper, catalog, started, cancellationToken).ConfigureAwait(false);

        await app.StopAsync(cancellationToken).ConfigureAwait(false);
        output.WriteLine();
        output.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s. Next: `urm serve --model {settings.ModelDirectory} --catalog-dir {Path.GetDirectoryName(shop.Catalog)} --store {store}`, `urm kpi --store {store}` and docs/API.md.");
        return new DemoOutcome(first, second, answered, clock.Elapsed, kpi);
    }

    /// <summary>
    /// Step 5: the shopper's events go to POST /api/events under their user id, a next-item request names
    /// only the user (the server reads the stored profile), the shopper clicks the first item it showed
    /// naming its recommendationId, and the KPI report (what GET /api/kpi and `urm kpi` give) counts it.
    /// </summary>
    private async Task<KpiReport> LoopAsync(HttpClient http, KpiService kpis, IReadOnlyList<UserEvent> shopper, IReadOnlyDictionary<string, CatalogItem> catalog, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var user = settings.Shopper;
        Step(5, $"The loop: {user}'s events in, a recommendation by user id, a click on it, the KPIs");
        var history = shopper.Select((e, i) => new { eventId = $"demo-{user}-{i}", userId = user, itemId = e.ItemId, @event = e.Type.ToString().ToLowerInvariant(), timestamp = e.Timestamp });
        var posted = await PostEventsAsync(http, history, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"  POST /api/events: {user}'s {shopper.Count} events above -> {(int)posted["accepted"]!} accepted, {(int)posted["rejected"]!} rejected");

        var answer = await PostAsync(http, new { userId = user, task = "next-item", k = settings.K }, cancellationToken).ConfigureAwait(false);
        PrintAnswer($"next-item for userId {user}, no history sent: {(int)answer["storedEvents"]!} stored events used, {(int)answer["sentEvents"]!} sent", answer, catalog);
        var recommendationId = (string)answer["recommendationId"]!;
        var clicked = (string)answer["items"]!.AsArray()[0]!["itemId"]!;
        var click = await PostEventsAsync(http, new[] { new { eventId = $"demo-{user}-click", userId = user, itemId = clicked, @event = "click", recommendationId } }, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"  POST /api/events: {user} clicks {clicked} ({catalog[clicked].Title}), recommendationId {recommendationId} -> {click["results"]![0]!["status"]}");

        // To a tick past now: the click's answer is in, so everything the demo served is in the range.
        var report = await kpis.ReportAsync(started, DateTimeOffset.UtcNow.AddTicks(1), cancellationToken).ConfigureAwait(false);
        output.WriteLine("  KPIs of this run (GET /api/kpi, `urm kpi`): the next-item row counts the click");
        KpiTable.Write(report, output, "    ");
        return report;
    }

    private static async Task<JsonNode> PostEventsAsync(HttpClient http, object events, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/events", new { events }, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /api/events answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private const string SearchQuery = "warm waterproof winter boots";

    private void Step(int number, string text) => output.WriteLine($"{number}. {text}");

    private static object Event(UserEvent e) => new { itemId = e.ItemId, @event = e.Type.ToString().ToLowerInvariant(), timestamp = e.Timestamp };

    private static string Summary(JsonNode report)
        => string.Create(CultureInfo.InvariantCulture,
            $"{(long)report["rowsRead"]!} rows, {(int)report["fused"]!} fused, {(int)report["skippedUnchanged"]!} unchanged, {(int)report["retired"]!} retired, {(long)report["rejected"]!} rejected, {(double)report["seconds"]!:F1} s");

    private async Task<List<UserEvent>> ReadHistoryAsync(string eventsPath, string userId, CancellationToken cancellationToken)
    {
        var events = new List<UserEvent>();
        await foreach (var e in EventReader.ReadAsync(eventsPath, new ReadReport(), cancellationToken).ConfigureAwait(false))
            if (e.UserId == userId) events.Add(e);
        events.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        if (events.Count == 0) throw new ArgumentException($"The sample events have no shopper '{userId}'; pick one of user-1..user-{settings.Shoppers}.");
        return events.TakeLast(8).ToList();
    }

    private void PrintHistory(IReadOnlyList<UserEvent> history, IReadOnlyDictionary<string, CatalogItem> catalog)
    {
        output.WriteLine($"  {settings.Shopper}'s history, oldest first:");
        foreach (var e in history)
        {
            var item = catalog[e.ItemId];
            output.WriteLine($"      {e.Type.ToString().ToLowerInvariant(),-8} {e.ItemId,-8} {item.Title} [{item.Category}]");
        }
    }

    private void PrintAnswer(string title, JsonNode answer, IReadOnlyDictionary<string, CatalogItem> catalog)
    {
        output.WriteLine($"  > {title}  ({(double)answer["elapsedMs"]!:F1} ms)");
        var rank = 0;
        foreach (var item in answer["items"]!.AsArray())
        {
            rank++;
            var because = item!["because"] is { } b ? $", because of {b}" : "";
            var product = catalog.GetValueOrDefault((string)item["itemId"]!);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"      {rank}. {item["itemId"],-8} {item["title"]} [{product?.Category}] {product?.Price:F2}  score {(double)item["score"]!:F3}, interest {item["interest"]}{because}"));
        }
        if (answer["unknownItems"] is JsonArray { Count: > 0 } unknown) output.WriteLine($"      unknown history items: {unknown.ToJsonString(Compact)}");
    }

    private static async Task<JsonNode> PostAsync(HttpClient http, object body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/recommend", body, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /api/recommend answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> GetJsonAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Waits for the watcher's report of an encoding run that finished after <paramref name="after"/>.</summary>
    private async Task<JsonNode> WaitForReportAsync(string catalogPath, DateTime after, CancellationToken cancellationToken)
    {
        var report = CatalogFileEncoder.ReportPath(catalogPath);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < settings.EncodeTimeout)
        {
            if (File.Exists(report) && File.GetLastWriteTimeUtc(report) > after)
            {
                try
                {
                    // The report may still be being written: read it whole, or wait for the next look.
                    var node = JsonNode.Parse(await File.ReadAllTextAsync(report, cancellationToken).ConfigureAwait(false))!;
                    if (node["error"] is { } error)
                        throw new InvalidOperationException($"Encoding {Path.GetFileName(catalogPath)} failed: {error}");
                    return node;
                }
                catch (JsonException)
                {
                }
                catch (IOException)
                {
                }
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException($"The catalog was not encoded within {settings.EncodeTimeout.TotalSeconds:F0} s; see the server's log lines above.");
    }
}

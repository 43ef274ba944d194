using System.Text.Json;
using Urm.Offline.FeatureFiles;

namespace Urm.Cli.Tests;

/// <summary>`urm train` on a tiny shop, then `urm evaluate` on it: files written, figures equal to the trainer's.</summary>
public class EvaluateCommandTests
{
    private static readonly string[] Genres = ["Drama", "Comedy", "Action", "Horror"];

    [Fact]
    public async Task Writes_metrics_report_and_charts_that_match_the_trainers_figures()
    {
        var folder = Directory.CreateTempSubdirectory("urm-evaluate").FullName;
        var catalog = Path.Combine(folder, "catalog.jsonl");
        File.WriteAllLines(catalog, Enumerable.Range(0, 24).Select(i => JsonSerializer.Serialize(new
        {
            id = $"m{i}", title = $"Film number {i}", category = $"Movies > {Genres[i % 4]}", attributes = new Dictionary<string, string> { ["year"] = $"{1990 + i % 7}" },
        })));
        var events = Path.Combine(folder, "events.csv");
        var random = new Random(11);
        File.WriteAllLines(events, new[] { "user_id,item_id,event,timestamp" }.Concat(
            Enumerable.Range(0, 10).SelectMany(u =>
            {
                var start = random.Next(24);
                return Enumerable.Range(0, random.Next(6, 12)).Select(j => $"u{u},m{(start + 2 * j) % 24},view,{1_700_000_000 + u * 1_000 + j * 60}");
            }).Concat(
            // Shoppers whose last item is one whose search queries are held out of training (m4, m10 and
            // m17, by SearchQueries.IsHeldOut) and lies in a genre their history lacks: search and explore cases.
            new[] { "m0 m1 m5 m10", "m1 m2 m3 m4", "m2 m7 m6 m17" }.SelectMany((walk, x) =>
                walk.Split(' ').Select((item, j) => $"x{x},{item},view,{1_800_000_000 + x * 1_000 + j * 60}")))));
        var config = Path.Combine(folder, "tiny.json");
        File.WriteAllText(config, """{"d": 16, "d_card": 16, "content_card": 8, "layers": 1, "heads": 2, "M": 2, "L": 6, "dropout": 0.0, "batch": 32, "epochs": 1, "patience": 1, "threads": 1, "seed": 7}""");
        var model = Path.Combine(folder, "model");
        var train = await CliRun.InvokeAsync("train", "--catalog", catalog, "--events", events, "--out", model, "--config", config, "--no-images", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.Errors + train.Output);

        var (exitCode, stdout, errors) = await CliRun.InvokeAsync("evaluate", "--model", model, "--catalog", catalog, "--events", events, "--threads", "1");

        Assert.True(exitCode == 0, errors);
        Assert.Contains("task next-item:", stdout);
        Assert.Contains("| model |", stdout);
        Assert.Contains("| co-occurrence |", stdout);
        Assert.Contains("| content |", stdout);
        // model-alone (the model without the co-occurrence term) only where the package has one.
        Assert.Matches(@"cold targets \(\d+ users\): model HR@10 [\d.]+, (model-alone HR@10 [\d.]+, )?popularity HR@10 [\d.]+, co-occurrence HR@10 [\d.]+, content HR@10 [\d.]+", stdout);
        Assert.DoesNotContain("new-item targets", stdout); // the manifest lists no new items
        Assert.Contains("24 from cache", errors); // the model's features/cache is reused: nothing encoded again
        var outDir = Path.Combine(model, "evaluation");
        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json"))).RootElement;
        var trainer = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "manifest.json"))).RootElement.GetProperty("metrics").GetProperty("test");
        var ours = metrics.GetProperty("methods").GetProperty("model");
        Assert.Equal(trainer.GetProperty("users").GetInt32(), ours.GetProperty("users").GetInt32());
        Assert.Equal(trainer.GetProperty("HR@10").GetDouble(), ours.GetProperty("HR@10").GetDouble(), 1e-9);
        Assert.Equal(trainer.GetProperty("NDCG@10").GetDouble(), ours.GetProperty("NDCG@10").GetDouble(), 1e-9);
        Assert.Contains("HR@20", ours.EnumerateObject().Select(p => p.Name));
        Assert.Equal("next-item", metrics.GetProperty("task").GetString());
        Assert.True(metrics.GetProperty("methods").TryGetProperty("content", out _));

        var report = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("## Protocol", report);
        Assert.Contains("nothing excluded", report);
        Assert.Contains("| cold |", report);
        foreach (var png in new[] { "metrics.png", "hr10-by-target.png", "hr10-by-history-length.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(outDir, png));
            Assert.True(bytes.Length > 5_000, $"{png} has only {bytes.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            Assert.Contains($"]({png})", report);
        }

        // Another trained task, posed as served: the category prompt, ranked within the target's category.
        var categoryDir = Path.Combine(folder, "by-category");
        var category = await CliRun.InvokeAsync("evaluate", "--model", model, "--catalog", catalog, "--events", events, "--threads", "1", "--task", "category", "--out", categoryDir);
        Assert.True(category.ExitCode == 0, category.Errors);
        Assert.Contains("task category:", category.Output);
        Assert.Contains("ranked within the target's category", category.Output);
        Assert.DoesNotContain("trainer (manifest)", category.Output); // its figures are next-item
        var categoryMetrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(categoryDir, "metrics.json"))).RootElement;
        Assert.Equal("category", categoryMetrics.GetProperty("task").GetString());
        Assert.Equal(JsonValueKind.Null, categoryMetrics.GetProperty("trainer").ValueKind);
        Assert.Contains("task category", File.ReadAllText(Path.Combine(categoryDir, "report.md")));

        // Search: held-out items' queries, the model with and without the history beside the frozen encoder.
        var searchDir = Path.Combine(folder, "search");
        var search = await CliRun.InvokeAsync("evaluate", "--model", model, "--catalog", catalog, "--events", events, "--threads", "1", "--task", "search", "--out", searchDir);
        Assert.True(search.ExitCode == 0, search.Errors);
        Assert.Contains("3 held-out search queries", search.Errors);
        Assert.Contains("task search: 3 users", search.Output);
        foreach (var method in new[] { "model", "model-query-alone", "popularity", "text-cosine", "text-cosine+popularity" })
            Assert.Contains($"| {method} |", search.Output);
        Assert.Contains("query:<the query>", File.ReadAllText(Path.Combine(searchDir, "report.md")));
        // urm train handed the trainer those held-out queries apart, to weigh the text term by, never to train on.
        var features = Path.Combine(model, "features");
        Assert.Equal(["m10", "m17", "m4"], File.ReadLines(Path.Combine(features, "held_out_queries.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(File.ReadLines(Path.Combine(features, "queries.jsonl")),
            l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString() is "m4" or "m10" or "m17");
        // Every training query also as typed: the trainer adds the served text term to search rows with it.
        var trainingQueries = File.ReadLines(Path.Combine(features, "queries.jsonl")).Count();
        Assert.Equal([trainingQueries, 384], NpyReader.Float32(Path.Combine(features, "queries_typed.npy")).Shape);
        Assert.Equal([trainingQueries, 384], NpyReader.Float32(Path.Combine(features, "queries.npy")).Shape);

        // With a text term in the package (its weight so high that the text decides), the served search
        // ranks as the frozen encoder's cosine does, and model-alone is the model without the term.
        var texted = Path.Combine(folder, "model-with-text");
        Directory.CreateDirectory(texted);
        foreach (var file in Directory.GetFiles(model)) File.Copy(file, Path.Combine(texted, Path.GetFileName(file)));
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(texted, "manifest.json")))!.AsObject();
        manifest["search"] = new System.Text.Json.Nodes.JsonObject { ["textWeight"] = 1000.0, ["textModel"] = "all-MiniLM-L6-v2" };
        File.WriteAllText(Path.Combine(texted, "manifest.json"), manifest.ToJsonString());
        var textedDir = Path.Combine(folder, "search-text");
        var withText = await CliRun.InvokeAsync("evaluate", "--model", texted, "--catalog", catalog, "--events", events, "--features", features, "--threads", "1", "--task", "search", "--out", textedDir);
        Assert.True(withText.ExitCode == 0, withText.Errors);
        Assert.Contains("| model-alone |", withText.Output);
        var textedMethods = JsonDocument.Parse(File.ReadAllText(Path.Combine(textedDir, "metrics.json"))).RootElement;
        Assert.Equal(1000.0, textedMethods.GetProperty("search").GetProperty("textWeight").GetDouble());
        Assert.Equal(0.0, textedMethods.GetProperty("search").GetProperty("popularityWeightWithoutHistory").GetDouble()); // no popularity prior in this package
        double Hr10(string method) => textedMethods.GetProperty("methods").GetProperty(method).GetProperty("HR@10").GetDouble();
        double Ndcg10(string method) => textedMethods.GetProperty("methods").GetProperty(method).GetProperty("NDCG@10").GetDouble();
        Assert.Equal(Ndcg10("text-cosine"), Ndcg10("model"), 1e-9);
        Assert.Equal(Hr10("text-cosine"), Hr10("model-query-alone"), 1e-9);
        Assert.Contains("without the text term", File.ReadAllText(Path.Combine(textedDir, "report.md")));

        // Explore: targets in a genre the history lacks, ranked outside the history's genres.
        var explore = await CliRun.InvokeAsync("evaluate", "--model", model, "--catalog", catalog, "--events", events, "--threads", "1", "--task", "explore", "--out", Path.Combine(folder, "explore"));
        Assert.True(explore.ExitCode == 0, explore.Errors);
        Assert.Contains("ranked outside the history's categories", explore.Output);
        Assert.Contains("| model-next-item-prompt |", explore.Output);

        // A wording of the instruction the model never read, in place of the template.
        var worded = await CliRun.InvokeAsync("evaluate", "--model", model, "--catalog", catalog, "--events", events, "--threads", "1",
            "--instruction", "Guess which film this person will watch next.", "--out", Path.Combine(folder, "worded"));
        Assert.True(worded.ExitCode == 0, worded.Errors);
        Assert.Contains("instruction: \"Guess which film this person will watch next.\"", worded.Output);
        var wordedMetrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "worded", "metrics.json"))).RootElement;
        Assert.Equal("Guess which film this person will watch next.", wordedMetrics.GetProperty("instruction").GetString());
    }

    [Fact]
    public async Task An_unknown_task_is_refused()
    {
        var (exitCode, _, errors) = await CliRun.InvokeAsync("evaluate", "--model", "m", "--catalog", "c.jsonl", "--events", "e.csv", "--task", "trending");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("trending", errors);
    }

    [Fact]
    public async Task A_missing_model_is_one_clear_error()
    {
        var folder = Directory.CreateTempSubdirectory("urm-evaluate-missing").FullName;
        var catalog = Path.Combine(folder, "catalog.jsonl");
        var events = Path.Combine(folder, "events.csv");
        File.WriteAllText(catalog, """{"id": "a", "title": "A"}""" + "\n");
        File.WriteAllText(events, "user_id,item_id,event,timestamp\nu,a,view,1\n");

        var (exitCode, _, errors) = await CliRun.InvokeAsync("evaluate", "--model", Path.Combine(folder, "nope"), "--catalog", catalog, "--events", events);

        Assert.Equal(1, exitCode);
        Assert.Contains("error:", errors);
    }
}

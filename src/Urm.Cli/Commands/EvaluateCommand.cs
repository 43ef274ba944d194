using System.CommandLine;
using Urm.Cli.Charts;
using Urm.Core.Catalog;
using Urm.Core.Events;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;
using Urm.Core.Models.Package;
using Urm.Core.Prompts;
using Urm.Core.Serving;
using Urm.Offline.Evaluation;
using Urm.Offline.FeatureFiles;

namespace Urm.Cli.Commands;

/// <summary>`urm evaluate`: the trainer's leave-one-out protocol through the serving path, with baselines and segments.</summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "The model directory (manifest.json, fusion.onnx, user.onnx).", Required = true };
        var catalog = new Option<FileInfo>("--catalog") { Description = "The catalog file the model was trained on (.jsonl or .csv).", Required = true };
        var events = new Option<FileInfo>("--events") { Description = "The events file (user_id,item_id,event,timestamp).", Required = true };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Where metrics.json, report.md and the charts go (default: MODEL/evaluation)." };
        var split = new Option<string>("--split") { Description = "Target: each user's last event (test) or second last (validation).", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "validation");
        var features = new Option<DirectoryInfo?>("--features") { Description = "A features directory whose cache/ is reused (default: MODEL/features, which `urm train` leaves), so nothing is encoded again." };
        var excludeSeen = new Option<bool>("--exclude-seen") { Description = "Leave each user's earlier items out of the ranking (the published Beauty baselines' protocol; data/README.md allows it), for the model and the baselines alike." };
        var task = new Option<string>("--task") { Description = "The trained task to measure, posed as served: next-item, next-purchase (purchase targets), similar (the newest history item as the anchor), category (ranked within the target's category), search (queries made from held-out items, with and without the history), explore (targets in categories the history lacks, ranked outside them).", DefaultValueFactory = _ => RecommendTasks.NextItem };
        task.AcceptOnlyFromAmong([.. EvaluationTasks.Names]);
        var instruction = new Option<string?>("--instruction") { Description = "Free text read in place of the task's instruction, as a request's instruction is (to measure a shop's own wording)." };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads per session (0: all cores).", DefaultValueFactory = _ => 0 };
        var precision = TextPrecisionOption.Create();
        var imagePrecision = ImagePrecisionOption.Create();
        var command = new Command("evaluate", "Evaluate a model offline (HR@K, NDCG@K) against popularity, co-occurrence and content-only baselines.") { model, catalog, events, output, split, features, excludeSeen, task, instruction, threads, precision, imagePrecision };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var modelDir = parse.GetValue(model)!.FullName;
            var catalogFile = parse.GetValue(catalog)!;
            var eventsFile = parse.GetValue(events)!;
            var outDir = parse.GetValue(output)?.FullName ?? Path.Combine(modelDir, "evaluation");
            var textPrecision = TextPrecisionOption.Read(parse, precision);
            var imagesPrecision = ImagePrecisionOption.Read(parse, imagePrecision);
            var which = parse.GetValue(split) == "validation" ? EvaluationSplit.Validation : EvaluationSplit.Test;
            foreach (var file in new[] { catalogFile, eventsFile })
                if (!file.Exists) throw new FileNotFoundException($"'{file.FullName}' does not exist.");

            var session = new EncoderSessionOptions(IntraOpThreads: parse.GetValue(threads));
            using var package = ModelPackage.Load(modelDir, session);
            var withImages = package.Manifest.Modalities.Contains("image");
            var cacheDir = FeatureVariant.Folder(Path.Combine(parse.GetValue(features)?.FullName ?? Path.Combine(modelDir, "features"), "cache"),
                textPrecision, withImages ? imagesPrecision : ImagePrecision.Fp32);
            using var text = TextEncoder.Load(new TextEncoderOptions(Session: session, Precision: textPrecision));
            // Features go next to the report, not over the model's own features/: a different catalog
            // must not change what the model directory records it was trained on.
            var featuresDir = Path.Combine(outDir, "features");
            Console.Error.WriteLine($"1/2 features of {catalogFile.Name} (cache {cacheDir})");
            using (var http = new HttpClient())
            using (var images = withImages
                ? LocalImageEncoder.Load(http, catalogFile.DirectoryName!, session, imagesPrecision)
                : null)
            using (var cache = new FileFeatureCache(cacheDir))
            {
                var progress = new ProgressLine("items");
                var report = await FeatureExport.RunAsync(catalogFile.FullName, featuresDir, text, images, cache, progress, cancellationToken);
                progress.Finish();
                Console.Error.WriteLine($"    {report.Accepted:N0} items ({report.Counts.CacheHits:N0} from cache), {report.Rejected:N0} rows rejected");
            }
            var items = FeatureDirectoryReader.Read(featuresDir);
            var categories = FeatureDirectoryReader.ReadCategories(featuresDir);
            var measured = parse.GetValue(task)!;
            var searchQueries = measured == RecommendTasks.Search
                ? await HeldOutQueries(catalogFile.FullName, items, text, cancellationToken)
                : null;

            Console.Error.WriteLine($"2/2 {EvaluationReportWriter.SplitName(which)} split of {eventsFile.Name}, model {package.Version}, task {measured}");
            var eventReport = new ReadReport();
            var userProgress = new ProgressLine("users");
            var result = await OfflineEvaluator.RunAsync(package, items, categories, EventReader.ReadAsync(eventsFile.FullName, eventReport, cancellationToken),
                new PromptEncoder(package.Manifest, text), new EvaluationOptions(which, ExcludeSeen: parse.GetValue(excludeSeen), Task: measured, Instruction: parse.GetValue(instruction)) { SearchQueries = searchQueries },
                userProgress, cancellationToken);
            userProgress.Finish();
            if (eventReport.Rejected > 0) Console.Error.WriteLine($"    {eventReport.Rejected:N0} event rows rejected (unreadable)");

            Directory.CreateDirectory(outDir);
            await File.WriteAllTextAsync(Path.Combine(outDir, "metrics.json"), EvaluationReportWriter.Json(result), cancellationToken);
            var charts = EvaluationCharts.Write(result, outDir);
            await File.WriteAllTextAsync(Path.Combine(outDir, "report.md"), EvaluationReportWriter.Markdown(result, charts), cancellationToken);

            Console.WriteLine($"task {result.Task}: {result.Users:N0} users, {result.Items:N0} items, {Ranking(result)} ({EvaluationReportWriter.SplitName(which)} split)");
            if (result.Instruction is not null) Console.WriteLine($"instruction: \"{result.Instruction}\"");
            Console.Write(EvaluationReportWriter.Table(result.Ks, result.Overall.Select(m => (m.Method, m.Metrics))));
            if (result.TrainerMetrics is { } t)
                Console.WriteLine($"trainer (manifest): HR@10 {t.Hr10:F4}, NDCG@10 {t.Ndcg10:F4} over {t.Users:N0} users");
            Console.WriteLine(TargetLine("cold targets", result.Segments.First(s => s is { Dimension: "target", Segment: "cold" })));
            if (result.Segments.FirstOrDefault(s => s is { Dimension: "target", Segment: OfflineEvaluator.NewSegment }) is { } fresh)
                Console.WriteLine(TargetLine("new-item targets (kept out of training)", fresh));
            Console.WriteLine($"Written to {outDir} (metrics.json, report.md, {string.Join(", ", charts.Select(c => c.File))})");
        }));
        return command;
    }

    /// <summary>The evaluation query of each held-out item (SearchQueries), embedded as typed for the frozen-encoder baseline.</summary>
    private static async Task<SearchEvaluationQueries> HeldOutQueries(string catalogPath, IReadOnlyList<ItemFeatures> items, ITextEncoder text, CancellationToken cancellationToken)
    {
        var rowOf = Enumerable.Range(0, items.Count).ToDictionary(i => items[i].Id, StringComparer.Ordinal);
        var texts = new string?[items.Count];
        await foreach (var item in CatalogReader.ReadAsync(catalogPath, new ReadReport(), cancellationToken))
            if (rowOf.TryGetValue(item.Id, out var row) && SearchQueries.IsHeldOut(item.Id))
                texts[row] = SearchQueries.For(item, 1, SearchQueries.EvaluationSeed).FirstOrDefault();
        var vectors = new float[]?[items.Count];
        var rows = Enumerable.Range(0, items.Count).Where(i => texts[i] is not null).ToArray();
        foreach (var chunk in rows.Chunk(256))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var encoded = text.Encode(chunk.Select(i => texts[i]!).ToList());
            for (var j = 0; j < chunk.Length; j++) vectors[chunk[j]] = encoded[j];
        }
        Console.Error.WriteLine($"    {rows.Length:N0} held-out search queries");
        return new SearchEvaluationQueries(texts, vectors);
    }

    private static string Ranking(EvaluationResult result)
    {
        var among = result.Task switch
        {
            RecommendTasks.Category => "ranked within the target's category",
            RecommendTasks.Explore => "ranked outside the history's categories",
            _ => "full ranking",
        };
        var left = result.Task == RecommendTasks.Similar ? "the anchor excluded"
            : result.ExcludeSeen ? "each user's earlier items excluded" : "nothing excluded";
        return $"{among}, {left}";
    }

    private static string TargetLine(string label, SegmentMetrics segment)
        => $"{label} ({segment.Users:N0} users): " + string.Join(", ", segment.Methods.Select(m => $"{m.Method} HR@10 {m.Metrics.HitRate(10):F4}"));
}

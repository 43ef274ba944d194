using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Urm.Cli.Demo;
using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Text;
using Urm.Core.Models.Runtime;
using Urm.Core.Runs;
using Urm.Offline.Samples;

namespace Urm.Cli.Commands;

/// <summary>
/// `urm bench chunks`: a generated catalog through the chunked run (plan, chunks, finish), its chunks
/// encoded by several workers in this process over the embedded card store, with a stand-in text
/// encoder, so the figures are the run's own cost (reading, diffing, chunk files, fusion, store writes)
/// apart from MiniLM, whose speed `urm bench encode` measures. Then one item changes and the run again
/// re-fuses one card.
/// </summary>
public static class BenchChunksCommand
{
    public static Command Create()
    {
        var items = new Option<int>("--items") { Description = "How many generated items.", DefaultValueFactory = _ => 100_000 };
        var workers = new Option<int>("--workers") { Description = "Workers encoding chunks side by side.", DefaultValueFactory = _ => 2 };
        var chunkSize = new Option<int>("--chunk-size") { Description = "Changed items per chunk.", DefaultValueFactory = _ => 2_000 };
        var model = new Option<DirectoryInfo>("--model") { Description = "Model package (default: the shipped demo model)." };
        var command = new Command("chunks", "Run time and chunk count of a large catalog through the chunked run, with a stand-in text encoder.") { items, workers, chunkSize, model };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() => RunAsync(
            parse.GetValue(items), parse.GetValue(workers), parse.GetValue(chunkSize),
            parse.GetValue(model)?.FullName ?? DemoSettings.DefaultModelDirectory, cancellationToken)));
        return command;
    }

    private static async Task RunAsync(int count, int workers, int chunkSize, string modelDirectory, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("urm-bench-chunks").FullName;
        try
        {
            var catalog = Path.Combine(folder, "catalog.jsonl");
            var generated = SampleCatalog.Generate(count).Select(i => i with { Image = null }).ToList();
            await WriteAsync(catalog, generated, cancellationToken);
            using var host = new ModelHost();
            var version = await host.ActivateAsync(modelDirectory, cancellationToken);
            using var store = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(Path.Combine(folder, "cards.db")), cancellationToken);
            using var cache = new FileFeatureCache(Path.Combine(folder, "features"));
            var text = new StandInTextEncoder();
            var run = new ChunkedCatalogRun(new FolderRunStore(Path.Combine(folder, "runs")), new ChunkedRunOptions(ChunkSize: chunkSize));
            Console.WriteLine($"urm bench chunks: {count:N0} generated items (no images), chunks of {chunkSize:N0}, {workers} workers, model {version}, " +
                              $"SQLite card store, stand-in text encoder, {Environment.ProcessorCount} cores");
            Console.WriteLine();
            Console.WriteLine("| run | changed items | chunks | plan s | chunks s | finish s | total s | items/s |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

            await MeasureAsync("first upload (empty store)", catalog, run, host, store, text, cache, version, workers, cancellationToken);
            await MeasureAsync("same file again", catalog, run, host, store, text, cache, version, workers, cancellationToken);
            generated[count / 2] = generated[count / 2] with { Title = generated[count / 2].Title + " (new edition)" };
            await WriteAsync(catalog, generated, cancellationToken);
            var changed = await MeasureAsync("one item's title changed", catalog, run, host, store, text, cache, version, workers, cancellationToken);
            Console.WriteLine();
            Console.WriteLine($"One changed item -> {changed.Fused} card re-fused, {changed.SkippedUnchanged:N0} unchanged, {changed.Chunks} chunk.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<CatalogEncodingReport> MeasureAsync(
        string name, string catalog, ChunkedCatalogRun run, ModelHost host, SqliteCardStore store, ITextEncoder text, IFeatureCache cache,
        string version, int workers, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var plan = await run.PlanAsync(new RunRequest(catalog, "bench", version, "", false, false),
            _ => Task.FromResult<Stream>(File.OpenRead(catalog)), CatalogFormat.JsonLines, store, cancellationToken);
        var planned = clock.Elapsed.TotalSeconds;
        await run.EncodeChunksInProcessAsync(plan, () => new CatalogEncoder(store, host, text, null, cache), workers, cancellationToken);
        var encoded = clock.Elapsed.TotalSeconds;
        var report = await run.FinishAsync(plan.RunId, store, cancellationToken);
        var total = clock.Elapsed.TotalSeconds;
        var rate = plan.Changed < 100 ? "" : (plan.Changed / total).ToString("F0", CultureInfo.InvariantCulture);
        Console.WriteLine($"| {name} | {plan.Changed:N0} | {plan.Chunks} | {planned:F1} | {encoded - planned:F1} | {total - encoded:F1} | {total:F1} | {rate} |");
        return report;
    }

    private static async Task WriteAsync(string path, IEnumerable<CatalogItem> items, CancellationToken cancellationToken)
    {
        await using var writer = new CatalogWriter(File.Create(path));
        foreach (var item in items) await writer.WriteAsync(item, cancellationToken);
    }

    /// <summary>
    /// A fast deterministic stand-in for MiniLM: a unit vector per text from its hash. The run's own costs
    /// are what this benchmark measures; MiniLM's are `urm bench encode`'s.
    /// </summary>
    private sealed class StandInTextEncoder : ITextEncoder
    {
        public int Dimension => TextEncoder.ModelDimension;

        public float[][] Encode(IReadOnlyList<string> texts)
        {
            var vectors = new float[texts.Count][];
            for (var t = 0; t < texts.Count; t++)
            {
                var random = new Random(StableSeed(texts[t]));
                var v = new float[Dimension];
                var norm = 0.0;
                for (var i = 0; i < v.Length; i++)
                {
                    v[i] = (float)(random.NextDouble() - 0.5);
                    norm += v[i] * v[i];
                }
                var scale = (float)(1 / Math.Sqrt(norm));
                for (var i = 0; i < v.Length; i++) v[i] *= scale;
                vectors[t] = v;
            }
            return vectors;
        }

        // string.GetHashCode differs per process; the bench's vectors should not.
        private static int StableSeed(string text)
        {
            var hash = 2166136261u;
            foreach (var c in text)
            {
                hash ^= c;
                hash *= 16777619u;
            }
            return (int)hash;
        }
    }
}

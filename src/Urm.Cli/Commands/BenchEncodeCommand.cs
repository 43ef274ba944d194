using System.CommandLine;
using System.Diagnostics;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;
using Urm.Offline.Samples;

namespace Urm.Cli.Commands;

/// <summary>
/// `urm bench encode`: raw-feature throughput on generated items. Measures the raw MiniLM session on
/// pre-tokenised batches and, in the same run with the same session, the text pipeline, the image
/// encoder and whole rows, so the pipeline's overhead over the model is visible.
/// </summary>
public static class BenchEncodeCommand
{
    public static Command Create()
    {
        var items = new Option<int>("--items") { Description = "How many generated items.", DefaultValueFactory = _ => 2000 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0: all cores).", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch") { Description = "Items per batch.", DefaultValueFactory = _ => 64 };
        var command = new Command("encode", "Items/s for text, image and whole-row features against the raw MiniLM session.") { items, threads, batch };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() =>
            RunAsync(parse.GetValue(items), parse.GetValue(threads), parse.GetValue(batch), cancellationToken)));
        return command;
    }

    private static async Task RunAsync(int count, int threads, int batchSize, CancellationToken cancellationToken)
    {
        if (count < batchSize) throw new ArgumentException($"--items must be at least --batch ({batchSize}).");
        var folder = Directory.CreateTempSubdirectory("urm-bench-encode").FullName;
        try
        {
            var items = SampleCatalog.Generate(count).ToList();
            foreach (var item in items)
                await SampleImages.SaveAsync(item, Path.Combine(folder, item.Image!), cancellationToken);
            var session = new EncoderSessionOptions(IntraOpThreads: threads);
            using var text = TextEncoder.Load(new TextEncoderOptions(Session: session));
            using var unsorted = TextEncoder.Load(new TextEncoderOptions(Session: session, LengthSortedRun: 0));
            using var images = ImageEncoder.Load(new LocalImageSource(folder), new ImageEncoderOptions(Session: session));
            var texts = items.Select(ItemText.Build).ToList();
            var batches = texts.Chunk(batchSize).ToList();
            var tokenized = batches.Select(b => text.Tokenize(b)).ToList();
            var meanTokens = tokenized.Sum(b => b.AttentionMask.Sum()) / (double)count;
            Console.WriteLine($"urm bench encode: {count:N0} generated items, batch {batchSize}, {(threads == 0 ? "all" : threads.ToString())} ONNX threads, {Environment.ProcessorCount} cores, {meanTokens:F1} tokens per item text, providers: text {text.Provider}, image {images.Provider}");

            text.Run(tokenized[0], new float[tokenized[0].Count * text.Dimension]); // warm-up
            var output = new float[batchSize * text.Dimension];
            // The raw session is timed first and again last; the faster of the two is the reference, so a
            // burst of load on a shared machine cannot flatter the pipeline.
            var rawFirst = Measure(count, () => { foreach (var b in tokenized) text.Run(b, output); });
            var textPipeline = Measure(count, () => { foreach (var b in batches) text.Encode(b); });
            var textUnsorted = Measure(count, () => { foreach (var b in batches) unsorted.Encode(b); });
            var image = await MeasureAsync(count, () => images.EncodeAsync(items.Select(i => i.Image!).ToList(), cancellationToken));
            var rowsTextOnly = await MeasureAsync(count, () => DrainAsync(new ItemFeatureExtractor(text, null, new InMemoryFeatureCache(), null, new(batchSize)), items, cancellationToken));
            var rows = await MeasureAsync(count, () => DrainAsync(new ItemFeatureExtractor(text, images, new InMemoryFeatureCache(), null, new(batchSize)), items, cancellationToken));
            var rawLast = Measure(count, () => { foreach (var b in tokenized) text.Run(b, output); });
            var raw = Math.Max(rawFirst, rawLast);

            Console.WriteLine();
            Console.WriteLine("| stage | items/s | vs raw MiniLM session |");
            Console.WriteLine("| --- | ---: | ---: |");
            Row("raw MiniLM session (pre-tokenised, Run only), timed first", rawFirst, raw);
            Row("raw MiniLM session, timed again last", rawLast, raw);
            Row($"text features (item text, tokenise, run, pool, normalise; runs of {TextEncoderOptions.Default.LengthSortedRun} texts sorted by length)", textPipeline, raw);
            Row("text features, the whole batch as one run padded to its longest text", textUnsorted, raw);
            Row("image features (read, decode, resize, ResNet18)", image, null);
            Row("whole rows without images (text + attributes + price, via the extractor)", rowsTextOnly, raw);
            Row("whole rows with images", rows, null);
            Console.WriteLine();
            var kept = rowsTextOnly / raw;
            Console.WriteLine($"Target: the pipeline keeps at least 80% of raw model throughput. Whole rows (text): {kept:P0} -> {(kept >= 0.8 ? "met" : "NOT met")}.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Row(string stage, double itemsPerSecond, double? raw) =>
        Console.WriteLine($"| {stage} | {itemsPerSecond:F1} | {(raw is null ? "" : (itemsPerSecond / raw.Value).ToString("P0"))} |");

    private static double Measure(int count, Action work)
    {
        var clock = Stopwatch.StartNew();
        work();
        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> MeasureAsync(int count, Func<Task> work)
    {
        var clock = Stopwatch.StartNew();
        await work();
        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task DrainAsync(ItemFeatureExtractor extractor, List<CatalogItem> items, CancellationToken cancellationToken)
    {
        await foreach (var _ in extractor.ExtractAsync(items.Select(i => (i, ContentHash.Compute(i))).ToAsyncEnumerable(), cancellationToken)) { }
    }
}

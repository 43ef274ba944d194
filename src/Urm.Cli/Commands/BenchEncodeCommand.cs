using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Onnx;
using Urm.Core.Features.Text;
using Urm.Core.Pretrained;
using Urm.Offline.Samples;

namespace Urm.Cli.Commands;

/// <summary>
/// `urm bench encode`: raw-feature throughput on generated items. Measures the raw MiniLM session on
/// pre-tokenised batches and, taking turns with it batch by batch, the text pipeline (fp32 and int8,
/// runs sorted by length and one padded batch); then the image encoder (batched and one image at a time,
/// taking turns too) and whole rows, so the pipeline's overhead over the model is visible. With --catalog it also encodes a
/// real catalog's texts in both precisions and prints how close the int8 vectors are to fp32.
/// </summary>
public static class BenchEncodeCommand
{
    public static Command Create()
    {
        var items = new Option<int>("--items") { Description = "How many generated items.", DefaultValueFactory = _ => 2000 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0: all cores).", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch") { Description = "Items per batch.", DefaultValueFactory = _ => 64 };
        var imageItems = new Option<int>("--image-items") { Description = "Images per image measurement (the first of the generated items).", DefaultValueFactory = _ => 500 };
        var imagesOnly = new Option<bool>("--images-only") { Description = "Only the image rows and the split of their time (decode, preprocessing, ResNet18)." };
        var catalog = new Option<FileInfo?>("--catalog") { Description = "Also encode this catalog's item texts in fp32 and int8 and print the cosine between the two (fidelity)." };
        var photos = new Option<DirectoryInfo[]>("--photos") { Description = "With --images-only: also encode the images in these folders (and the generated ones) with fp32 and int8 ResNet18 and print the cosine between the two (fidelity).", AllowMultipleArgumentsPerToken = true };
        var calibration = new Option<DirectoryInfo[]>("--calibration") { Description = "With --photos: calibrate on the images in these folders with other quantiles and print the fidelity of each int8 form (weight bits, first convolution fp32 or int8, ranges), the choices behind the shipped one.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("encode", "Items/s for text (fp32, int8), image (fp32, int8) and whole-row features against the raw MiniLM session; int8 fidelity over a catalog or photos.")
        {
            items, threads, batch, imageItems, imagesOnly, catalog, photos, calibration,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() =>
            RunAsync(parse.GetValue(items), parse.GetValue(threads), parse.GetValue(batch), parse.GetValue(imageItems), parse.GetValue(imagesOnly), parse.GetValue(catalog),
                parse.GetValue(photos) ?? [], parse.GetValue(calibration) ?? [], cancellationToken)));
        return command;
    }

    private static async Task RunAsync(int count, int threads, int batchSize, int imageCount, bool imagesOnly, FileInfo? catalog, DirectoryInfo[] photos,
        DirectoryInfo[] calibration, CancellationToken cancellationToken)
    {
        if (photos.Length > 0 && !imagesOnly) throw new ArgumentException("--photos goes with --images-only.");
        if (calibration.Length > 0 && photos.Length == 0) throw new ArgumentException("--calibration goes with --photos.");
        var photoFiles = photos.Length > 0 ? CalibrateImagesCommand.ImageFiles(photos) : [];
        var calibrationFiles = calibration.Length > 0 ? CalibrateImagesCommand.ImageFiles(calibration) : [];
        if (imagesOnly)
        {
            await ImagesAsync(imageCount, threads, photoFiles, calibrationFiles, cancellationToken);
            return;
        }
        if (count < batchSize) throw new ArgumentException($"--items must be at least --batch ({batchSize}).");
        if (imageCount < 1 || imageCount > count) throw new ArgumentException($"--image-items must be between 1 and --items ({count}).");
        if (catalog is { Exists: false }) throw new FileNotFoundException($"The catalog '{catalog.FullName}' does not exist.");
        var folder = Directory.CreateTempSubdirectory("urm-bench-encode").FullName;
        try
        {
            var items = SampleCatalog.Generate(count).ToList();
            foreach (var item in items)
                await SampleImages.SaveAsync(item, Path.Combine(folder, item.Image!), cancellationToken);
            var session = new EncoderSessionOptions(IntraOpThreads: threads);
            using var text = TextEncoder.Load(new TextEncoderOptions(Session: session));
            using var unsorted = TextEncoder.Load(new TextEncoderOptions(Session: session, LengthSortedRun: 0));
            using var int8 = TextEncoder.Load(new TextEncoderOptions(Session: session, Precision: TextPrecision.Int8));
            using var int8Unsorted = TextEncoder.Load(new TextEncoderOptions(Session: session, LengthSortedRun: 0, Precision: TextPrecision.Int8));
            var imageBatch = ImageEncoderOptions.Default.BatchSize;
            using var images = ImageEncoder.Load(new LocalImageSource(folder), new ImageEncoderOptions(Session: session));
            using var imagesSingly = ImageEncoder.Load(new LocalImageSource(folder), new ImageEncoderOptions(Session: session, BatchSize: 1, ConcurrentBatches: 1));
            using var imagesTwoAtOnce = ImageEncoder.Load(new LocalImageSource(folder), new ImageEncoderOptions(Session: session, ConcurrentBatches: 2));
            using var images32 = ImageEncoder.Load(new LocalImageSource(folder), new ImageEncoderOptions(Session: session, BatchSize: 32, ConcurrentBatches: 1));
            using var imagesInt8 = ImageEncoder.Load(new LocalImageSource(folder), new ImageEncoderOptions(Session: session, Precision: ImagePrecision.Int8));
            var texts = items.Select(ItemText.Build).ToList();
            var batches = texts.Chunk(batchSize).ToList();
            var tokenized = batches.Select(b => text.Tokenize(b)).ToList();
            var meanTokens = tokenized.Sum(b => b.AttentionMask.Sum()) / (double)count;
            Console.WriteLine($"urm bench encode: {count:N0} generated items ({imageCount:N0} for the image rows), batch {batchSize}, {(threads == 0 ? "all" : threads.ToString())} ONNX threads, {Environment.ProcessorCount} cores, {meanTokens:F1} tokens per item text, providers: text {text.Provider}, image {images.Provider}");

            var output = new float[batchSize * text.Dimension];
            foreach (var encoder in new[] { text, unsorted, int8, int8Unsorted }) encoder.Encode(batches[0]);   // warm-up
            // The text stages take turns batch by batch (the order rotating), each timed on its own: a burst of
            // load on a shared machine then falls on every stage alike instead of on whichever ran at the time.
            var textRates = Interleaved(count, batches.Count,
                b => text.Run(tokenized[b], output),
                b => int8.Run(tokenized[b], output),
                b => text.Encode(batches[b]),
                b => unsorted.Encode(batches[b]),
                b => int8.Encode(batches[b]),
                b => int8Unsorted.Encode(batches[b]));
            var (raw, rawInt8, textPipeline, textUnsorted, int8Pipeline, int8PipelineUnsorted) = (textRates[0], textRates[1], textRates[2], textRates[3], textRates[4], textRates[5]);
            var imageChunks = items.Take(imageCount).Select(i => i.Image!).Chunk(32).Select(c => (IReadOnlyList<string>)c).ToList();
            await images.EncodeAsync(imageChunks[0], cancellationToken);   // warm-up
            await imagesSingly.EncodeAsync(imageChunks[0], cancellationToken);
            await images32.EncodeAsync(imageChunks[0], cancellationToken);
            await imagesInt8.EncodeAsync(imageChunks[0], cancellationToken);
            var imageRates = Interleaved(imageCount, imageChunks.Count,
                c => imagesSingly.EncodeAsync(imageChunks[c], cancellationToken).GetAwaiter().GetResult(),
                c => images.EncodeAsync(imageChunks[c], cancellationToken).GetAwaiter().GetResult(),
                c => images32.EncodeAsync(imageChunks[c], cancellationToken).GetAwaiter().GetResult(),
                c => imagesInt8.EncodeAsync(imageChunks[c], cancellationToken).GetAwaiter().GetResult());
            var (imageSingly, imageBatched, imageBatched32, imageInt8) = (imageRates[0], imageRates[1], imageRates[2], imageRates[3]);
            var rowsTextOnly = await MeasureAsync(count, () => DrainAsync(new ItemFeatureExtractor(text, null, new InMemoryFeatureCache(), null, new(batchSize)), items, cancellationToken));
            var rowsInt8 = await MeasureAsync(count, () => DrainAsync(new ItemFeatureExtractor(int8, null, new InMemoryFeatureCache(), null, new(batchSize)), items, cancellationToken));
            // Whole rows with images, the default against two image batches at once, in the order A B B A so that a
            // drift of the machine's load falls on both alike.
            var imageRows = items.Take(imageCount).ToList();
            var rowSeconds = new double[2];
            foreach (var k in new[] { 0, 1, 1, 0 })
            {
                var clock = Stopwatch.StartNew();
                await DrainAsync(new ItemFeatureExtractor(int8, k == 0 ? images : imagesTwoAtOnce, new InMemoryFeatureCache(), null, new(batchSize)), imageRows, cancellationToken);
                rowSeconds[k] += clock.Elapsed.TotalSeconds;
            }
            var (rows, rowsTwoAtOnce) = (2 * imageCount / rowSeconds[0], 2 * imageCount / rowSeconds[1]);

            Console.WriteLine();
            Console.WriteLine("| stage | items/s | vs raw fp32 MiniLM session |");
            Console.WriteLine("| --- | ---: | ---: |");
            Row("raw fp32 MiniLM session (pre-tokenised batches, Run only; the reference)", raw, raw);
            Row("raw int8 MiniLM session (pre-tokenised batches, Run only)", rawInt8, raw);
            Row($"fp32 text features (item text, tokenise, run, pool, normalise; runs of {TextEncoderOptions.Default.LengthSortedRun} sorted by length)", textPipeline, raw);
            Row("fp32 text features, the whole batch as one run padded to its longest text", textUnsorted, raw);
            Row($"int8 text features, runs of {TextEncoderOptions.Default.LengthSortedRun} sorted by length", int8Pipeline, raw);
            Row("int8 text features, the whole batch as one run", int8PipelineUnsorted, raw);
            Row("image features one at a time (read, decode, resize, ResNet18 at batch 1)", imageSingly, null);
            Row($"image features in batches of {imageBatch}, {AtOnce(ImageEncoderOptions.Default.ConcurrentBatches)} (the default)", imageBatched, null);
            Row("image features in batches of 32, one batch at a time", imageBatched32, null);
            Row($"int8 image features in batches of {imageBatch}, one batch at a time (--image-precision int8)", imageInt8, null);
            Row("whole rows without images, fp32 text (text + attributes + price, via the extractor)", rowsTextOnly, raw);
            Row("whole rows without images, int8 text", rowsInt8, raw);
            Row($"whole rows with images, int8 text, images in batches of {imageBatch}, {AtOnce(ImageEncoderOptions.Default.ConcurrentBatches)} (the default)", rows, null);
            Row($"whole rows with images, int8 text, images in batches of {imageBatch}, two at once", rowsTwoAtOnce, null);
            Console.WriteLine();
            var kept = rowsTextOnly / raw;
            Console.WriteLine($"Target: the pipeline keeps at least 80% of raw model throughput. Whole rows (fp32 text): {kept:P0} -> {(kept >= 0.8 ? "met" : "NOT met")}.");
            Console.WriteLine($"Target: int8 text features at least 2x the raw fp32 session: {int8Pipeline / raw:F2}x -> {(int8Pipeline >= 2 * raw ? "met" : "NOT met")}.");
            Console.WriteLine($"Target: images at least 50 items/s: fp32 (the default) {imageBatched:F1} -> {(imageBatched >= 50 ? "met" : "NOT met")}; int8 {imageInt8:F1} -> {(imageInt8 >= 50 ? "met" : "NOT met")}.");

            if (catalog is not null) await FidelityAsync(catalog, text, int8, batchSize, cancellationToken);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// `--images-only`: the image encoder one batch at a time (the default) against two batches at once,
    /// taking turns, then the split of its time: reading and decoding on one thread, and the two graphs on their
    /// own (raw sessions, <c>Run</c> only, on one decoded batch; the model's cost does not depend on the pixels).
    /// </summary>
    private static async Task ImagesAsync(int count, int threads, string[] photos, string[] calibration, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("urm-bench-images").FullName;
        try
        {
            var items = SampleCatalog.Generate(count).ToList();
            foreach (var item in items)
                await SampleImages.SaveAsync(item, Path.Combine(folder, item.Image!), cancellationToken);
            var session = new EncoderSessionOptions(IntraOpThreads: threads);
            var source = new LocalImageSource(folder);
            var options = ImageEncoderOptions.Default;
            using var oneBatch = ImageEncoder.Load(source, new ImageEncoderOptions(Session: session, ConcurrentBatches: 1));
            using var twoAtOnce = ImageEncoder.Load(source, new ImageEncoderOptions(Session: session, ConcurrentBatches: 2));
            using var singly = ImageEncoder.Load(source, new ImageEncoderOptions(Session: session, BatchSize: 1, ConcurrentBatches: 1));
            using var batches8 = ImageEncoder.Load(source, new ImageEncoderOptions(Session: session, BatchSize: 8, ConcurrentBatches: 2));
            using var int8 = ImageEncoder.Load(source, new ImageEncoderOptions(Session: session, Precision: ImagePrecision.Int8));
            using var int8Singly = ImageEncoder.Load(source, new ImageEncoderOptions(Session: session, BatchSize: 1, Precision: ImagePrecision.Int8));
            using var int8Batches32 = ImageEncoder.Load(source, new ImageEncoderOptions(Session: session, BatchSize: 32, Precision: ImagePrecision.Int8));
            var resnetModel = File.ReadAllBytes(PretrainedPaths.ResNet18Model);
            using var resnetInt8 = OpenRaw(ResNetInt8Ranges.Shipped.Quantise(resnetModel), threads);
            using var resnetAllInt8 = OpenRaw(StaticConvQuantization.Apply(resnetModel, ResNetInt8Ranges.Shipped.Ranges, ResNetInt8Ranges.WeightBits, floatInputConvolutions: false), threads);
            using var preprocess = OpenRaw(PretrainedPaths.ResNet18Preprocess, threads);
            using var resnet = OpenRaw(PretrainedPaths.ResNet18Model, threads);
            using var resnetOneThread = OpenRaw(PretrainedPaths.ResNet18Model, 1);
            var chunks = items.Select(i => i.Image!).Chunk(32).Select(c => (IReadOnlyList<string>)c).ToList();

            // One decoded chunk, as the preprocessing graph takes it and as ResNet18 takes it: (n, 3, 224, 224).
            const int size = 3 * ImageEncoder.Side * ImageEncoder.Side;
            var pixels = new float[chunks[0].Count * size];
            for (var i = 0; i < chunks[0].Count; i++)
                (await oneBatch.ReadAsync(chunks[0][i], cancellationToken)).Pixels!.CopyTo(pixels, i * size);
            var prepared = RunRaw(preprocess, pixels, 0, chunks[0].Count);
            // Part p times as many images as chunk p holds, in pieces of the default batch size.
            IEnumerable<(int Start, int Count)> Pieces(int p) =>
                Enumerable.Range(0, (chunks[p].Count + options.BatchSize - 1) / options.BatchSize)
                    .Select(b => (b * options.BatchSize, Math.Min(options.BatchSize, chunks[p].Count - b * options.BatchSize)));

            Action<int>[] stages =
            [
                c => singly.EncodeAsync(chunks[c], cancellationToken).GetAwaiter().GetResult(),
                c => oneBatch.EncodeAsync(chunks[c], cancellationToken).GetAwaiter().GetResult(),
                c => twoAtOnce.EncodeAsync(chunks[c], cancellationToken).GetAwaiter().GetResult(),
                c => batches8.EncodeAsync(chunks[c], cancellationToken).GetAwaiter().GetResult(),
                c => { foreach (var reference in chunks[c]) oneBatch.ReadAsync(reference, cancellationToken).GetAwaiter().GetResult(); },
                c => { foreach (var (start, n) in Pieces(c)) RunRaw(preprocess, pixels, start, n); },
                c => { foreach (var (start, n) in Pieces(c)) RunRaw(resnet, prepared, start, n); },
                c => Parallel.ForEach(Pieces(c), new ParallelOptions { MaxDegreeOfParallelism = 2 }, piece => RunRaw(resnetOneThread, prepared, piece.Start, piece.Count)),
                c => int8Singly.EncodeAsync(chunks[c], cancellationToken).GetAwaiter().GetResult(),
                c => int8.EncodeAsync(chunks[c], cancellationToken).GetAwaiter().GetResult(),
                c => int8Batches32.EncodeAsync(chunks[c], cancellationToken).GetAwaiter().GetResult(),
                c => { foreach (var (start, n) in Pieces(c)) RunRaw(resnetInt8, prepared, start, n); },
                c => { foreach (var (start, n) in Pieces(c)) RunRaw(resnetAllInt8, prepared, start, n); },
            ];
            foreach (var stage in stages) stage(0);   // warm-up
            var rates = Interleaved(count, chunks.Count, stages);
            Console.WriteLine($"urm bench encode --images-only: {count:N0} generated 256×256 PNG images in parts of 32, taking turns, {(threads == 0 ? "all" : threads.ToString())} ONNX threads, {Environment.ProcessorCount} cores");
            Console.WriteLine();
            Console.WriteLine("| image stage | images/s |");
            Console.WriteLine("| --- | ---: |");
            string[] names =
            [
                "image features one at a time (read, decode, resize, ResNet18 at batch 1)",
                $"image features in batches of {options.BatchSize}, {AtOnce(1)}{(options.ConcurrentBatches == 1 ? " (the default)" : "")}",
                $"image features in batches of {options.BatchSize}, {AtOnce(2)}{(options.ConcurrentBatches == 2 ? " (the default)" : "")}",
                $"image features in batches of 8, {AtOnce(2)}",
                "split: read, decode and resize alone, one thread",
                $"split: preprocessing graph as its own session (batches of {options.BatchSize}, Run only; the encoder now folds it into the batch copy)",
                $"split: ResNet18 alone (batches of {options.BatchSize}, Run only, {(threads == 0 ? "all cores" : $"{threads} threads")})",
                $"split: ResNet18 alone, one thread per run, two runs at once",
                "int8 image features one at a time",
                $"**int8 image features in batches of {options.BatchSize}, one batch at a time** (--image-precision int8)",
                "int8 image features in batches of 32, one batch at a time",
                $"split: int8 ResNet18 alone (batches of {options.BatchSize}, Run only)",
                $"split: int8 ResNet18 alone with its first convolution int8 too (not shipped; batches of {options.BatchSize}, Run only)",
            ];
            for (var k = 0; k < stages.Length; k++) Console.WriteLine($"| {names[k]} | {rates[k]:F1} |");
            Console.WriteLine();
            var shipped = rates[options.ConcurrentBatches == 2 ? 2 : 1];
            Console.WriteLine($"Target: images at least 50 items/s: fp32 (the default) {shipped:F1} -> {(shipped >= 50 ? "met" : "NOT met")}; int8 {rates[9]:F1} -> {(rates[9] >= 50 ? "met" : "NOT met")}.");
            Console.WriteLine($"Loading: fp32 ResNet18 {LoadMilliseconds(source, new ImageEncoderOptions(Session: session)):F0} ms, int8 {LoadMilliseconds(source, new ImageEncoderOptions(Session: session, Precision: ImagePrecision.Int8)):F0} ms (with the conversion).");
            if (photos.Length > 0) await ImageFidelityAsync(photos, folder, items.Select(i => i.Image!).ToList(), session, cancellationToken);
            if (calibration.Length > 0) await Int8FormsAsync(photos, folder, items.Select(i => i.Image!).ToList(), calibration, threads, cancellationToken);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double LoadMilliseconds(IImageSource source, ImageEncoderOptions options)
    {
        var clock = Stopwatch.StartNew();
        using (ImageEncoder.Load(source, options)) return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>The photos and the generated images through fp32 and int8 ResNet18, then the cosine of each pair.</summary>
    private static async Task ImageFidelityAsync(string[] files, string generatedFolder, IReadOnlyList<string> generated, EncoderSessionOptions session, CancellationToken cancellationToken)
    {
        var ranges = ResNetInt8Ranges.Shipped;
        Console.WriteLine();
        Console.WriteLine($"int8 ResNet18 fidelity (ranges calibrated on {ranges.Images} images: {ranges.Source})");
        foreach (var (name, folder, references) in new[] { ("photos", (string?)null, (IReadOnlyList<string>)files), ("generated images", generatedFolder, generated) })
        {
            var source = folder is null ? new LocalImageSource() : new LocalImageSource(folder);
            using var fp32 = ImageEncoder.Load(source, new ImageEncoderOptions(Session: session));
            using var int8 = ImageEncoder.Load(source, new ImageEncoderOptions(Session: session, Precision: ImagePrecision.Int8));
            var a = await fp32.EncodeAsync(references, cancellationToken);
            var b = await int8.EncodeAsync(references, cancellationToken);
            var pairs = a.Zip(b, references).Where(p => p.First.Vector is not null && p.Second.Vector is not null).ToList();
            if (pairs.Count == 0) continue;
            var cosines = pairs.Select(p => (Cosine(p.First.Vector!, p.Second.Vector!), p.Third)).OrderBy(c => c.Item1).ToArray();
            Console.WriteLine($"  {name}: {pairs.Count:N0} images, cosine int8 vs fp32: mean {cosines.Average(c => c.Item1):F5}, min {cosines[0].Item1:F5} ({Path.GetFileName(cosines[0].Third)}), median {cosines[cosines.Length / 2].Item1:F5}, below 0.99: {cosines.Count(c => c.Item1 < 0.99):N0}");
        }
    }

    /// <summary>
    /// The choices behind the shipped int8 form, measured like the fidelity above: ranges calibrated on
    /// <paramref name="calibration"/> at three quantiles (1 keeps the plain minimum and maximum), weights of 7 or 8 bits,
    /// the first convolution fp32 or int8. Every form runs the same preprocessed images and is compared with fp32.
    /// </summary>
    private static async Task Int8FormsAsync(string[] photos, string generatedFolder, IReadOnlyList<string> generated, string[] calibration, int threads, CancellationToken cancellationToken)
    {
        var model = File.ReadAllBytes(PretrainedPaths.ResNet18Model);
        var sets = new[] { await PreparedAsync(new LocalImageSource(), photos, cancellationToken), await PreparedAsync(new LocalImageSource(generatedFolder), generated, cancellationToken) };
        float[][][] reference;
        using (var fp32 = OpenRaw(model, threads)) reference = [.. sets.Select(set => RunAll(fp32, set))];
        Console.WriteLine();
        Console.WriteLine($"int8 forms: ranges calibrated on {calibration.Length:N0} images; cosine to fp32 over {sets[0].Count:N0} photos and {sets[1].Count:N0} generated images (mean / min)");
        Console.WriteLine();
        Console.WriteLine("| ranges: upper quantile | weight bits | first convolution | photos | generated |");
        Console.WriteLine("| ---: | ---: | --- | ---: | ---: |");
        foreach (var quantile in new[] { 1.0, 0.9999, ResNetCalibration.Quantile })
        {
            var (ranges, _) = await ResNetCalibration.MeasureAsync(new LocalImageSource(), calibration, "bench", cancellationToken, quantile: quantile);
            foreach (var bits in new[] { 7, 8 })
                foreach (var floatFirst in new[] { true, false })
                {
                    using var int8 = OpenRaw(StaticConvQuantization.Apply(model, ranges.Ranges, bits, floatFirst), threads);
                    var cells = sets.Select((set, i) =>
                    {
                        var vectors = RunAll(int8, set);
                        var cosines = vectors.Select((v, k) => Cosine(v, reference[i][k])).ToArray();
                        return $"{cosines.Average():F4} / {cosines.Min():F4}";
                    });
                    var shipped = quantile == ResNetCalibration.Quantile && bits == ResNetInt8Ranges.WeightBits && floatFirst ? " (shipped)" : "";
                    Console.WriteLine($"| {(quantile == 1 ? "1 (min/max)" : quantile.ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture))} | {bits} | {(floatFirst ? "fp32" : "int8")}{shipped} | {string.Join(" | ", cells)} |");
                }
        }
    }

    /// <summary>The images that could be read, decoded and preprocessed as ResNet18 takes them, one after the other in <c>Batch</c>.</summary>
    private static async Task<(float[] Batch, int Count)> PreparedAsync(IImageSource source, IReadOnlyList<string> references, CancellationToken cancellationToken)
    {
        const int size = 3 * ImageEncoder.Side * ImageEncoder.Side;
        using var reader = ImageEncoder.Load(source, new ImageEncoderOptions(BatchSize: 1));
        var prepared = new List<float[]>();
        foreach (var reference in references)
        {
            var (pixels, _) = await reader.ReadAsync(reference, cancellationToken);
            if (pixels is null) continue;
            var input = new float[size];
            reader.Preprocess(pixels, input);
            prepared.Add(input);
        }
        return ([.. prepared.SelectMany(p => p)], prepared.Count);
    }

    /// <summary>Every image of a prepared batch through a one-input, one-output graph, 16 at a run; one vector per image.</summary>
    private static float[][] RunAll(InferenceSession session, (float[] Batch, int Count) images)
    {
        var vectors = new List<float[]>(images.Count);
        for (var start = 0; start < images.Count; start += 16)
            vectors.AddRange(RunRaw(session, images.Batch, start, Math.Min(16, images.Count - start)).Chunk(ImageEncoder.ModelDimension));
        return [.. vectors];
    }

    private static string AtOnce(int batches) => batches == 1 ? "one batch at a time" : $"{batches} at once";

    /// <summary>A graph with a symbolic batch, set up as the encoders set up theirs (EncoderSession) on the CPU.</summary>
    private static InferenceSession OpenRaw(string path, int threads) => OpenRaw(File.ReadAllBytes(path), threads);

    private static InferenceSession OpenRaw(byte[] model, int threads)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, InterOpNumThreads = 1 };
        if (threads > 0) options.IntraOpNumThreads = threads;
        return new InferenceSession(SymbolicBatchDimension.Apply(model), options);
    }

    /// <summary>Runs images [start, start + count) of a planar batch through a one-input, one-output graph.</summary>
    private static float[] RunRaw(InferenceSession session, float[] batch, int start, int count)
    {
        const int size = 3 * ImageEncoder.Side * ImageEncoder.Side;
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch.AsMemory(start * size, count * size), [count, 3, ImageEncoder.Side, ImageEncoder.Side]);
        using var runOptions = new RunOptions();
        using var output = session.Run(runOptions, [session.InputNames[0]], [input], [session.OutputNames[0]]);
        return output[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Every item text of the catalog through both encoders (batches as the extractor makes them), then the cosine of each pair.</summary>
    private static async Task FidelityAsync(FileInfo catalog, TextEncoder fp32, TextEncoder int8, int batchSize, CancellationToken cancellationToken)
    {
        var texts = new List<string>();
        await foreach (var item in CatalogReader.ReadAsync(catalog.FullName, new ReadReport(), cancellationToken))
            texts.Add(ItemText.Build(item));
        var batches = texts.Chunk(batchSize).ToList();
        var reference = new float[batches.Count][][];
        var quantised = new float[batches.Count][][];
        var rates = Interleaved(texts.Count, batches.Count, b => reference[b] = fp32.Encode(batches[b]), b => quantised[b] = int8.Encode(batches[b]));
        var (fp32Rate, int8Rate) = (rates[0], rates[1]);
        var cosines = reference.SelectMany(v => v).Zip(quantised.SelectMany(v => v), Cosine).Order().ToArray();
        double Quantile(double q) => cosines[(int)Math.Min(cosines.Length - 1, Math.Floor(q * cosines.Length))];
        Console.WriteLine();
        Console.WriteLine($"int8 fidelity over {catalog.Name}: {texts.Count:N0} item texts, batches of {batchSize} (fp32 and int8 taking turns)");
        Console.WriteLine($"  fp32 {fp32Rate:F1} items/s, int8 {int8Rate:F1} items/s ({int8Rate / fp32Rate:F2}x)");
        Console.WriteLine($"  cosine int8 vs fp32: mean {cosines.Average():F5}, min {cosines[0]:F5}, 1st percentile {Quantile(0.01):F5}, median {Quantile(0.5):F5}, below 0.99: {cosines.Count(c => c < 0.99):N0}");
        Console.WriteLine($"Target: mean cosine at least 0.995: {(cosines.Average() >= 0.995 ? "met" : "NOT met")}.");
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }

    private static void Row(string stage, double itemsPerSecond, double? raw) =>
        Console.WriteLine($"| {stage} | {itemsPerSecond:F1} | {(raw is null ? "" : (itemsPerSecond / raw.Value).ToString("P0"))} |");

    /// <summary>
    /// Items/s of each stage over the same <paramref name="parts"/>: part by part, every stage runs it in turn (the
    /// order rotating), so slow spells of a shared machine are shared by all stages.
    /// </summary>
    private static double[] Interleaved(int count, int parts, params Action<int>[] stages)
    {
        var seconds = new double[stages.Length];
        for (var p = 0; p < parts; p++)
            for (var k = 0; k < stages.Length; k++)
            {
                var s = (k + p) % stages.Length;
                var clock = Stopwatch.StartNew();
                stages[s](p);
                seconds[s] += clock.Elapsed.TotalSeconds;
            }
        return [.. seconds.Select(t => count / t)];
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

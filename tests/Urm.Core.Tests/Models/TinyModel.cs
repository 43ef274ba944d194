using System.Diagnostics;
using System.Text.Json;
using Urm.Core.Features;
using Urm.Core.Models.Package;
using Urm.Core.Prompts;
using Urm.Offline.FeatureFiles;

namespace Urm.Core.Tests.Models;

/// <summary>
/// A tiny model trained by the real trainer (src/trainer, Debian's python3-torch) on a synthetic
/// features directory written here, once for every model test: a few seconds on one thread.
/// </summary>
public sealed class TinyModel : IDisposable
{
    public const int ItemCount = 30;
    public const int AttributeBuckets = 100;
    public const int PriceBuckets = 8;
    private static readonly string[] Categories = ["Beauty>Skin", "Beauty>Hair", "Beauty>Nails"];

    // d/dCard/M/L small enough to train in seconds; dropout 0 so PyTorch and ONNX Runtime agree exactly.
    private static readonly object Config = new
    {
        d = 16, d_card = 16, content_card = 8, layers = 1, heads = 2, M = 2, L = 6, dropout = 0.0, batch = 32,
        epochs = 1, patience = 1, threads = 1, seed = 7,
        attribute_table = 61, // fewer rows than the 100 buckets: the parity inputs cross the fold
    };

    public TinyModel()
    {
        Root = System.IO.Directory.CreateTempSubdirectory("urm-tiny-model-").FullName;
        var features = Path.Combine(Root, "features");
        Items = WriteFeatures(features);
        var events = Path.Combine(Root, "events.csv");
        WriteEvents(events);
        var config = Path.Combine(Root, "tiny.json");
        File.WriteAllText(config, JsonSerializer.Serialize(Config));
        Directory = Path.Combine(Root, "model");

        var clock = Stopwatch.StartNew();
        Train(features, events, config, Directory);
        TrainingTime = clock.Elapsed;
        Package = ModelPackage.Load(Directory, Session);
    }

    public static EncoderSessionOptions Session { get; } = new(IntraOpThreads: 1);

    public string Root { get; }

    /// <summary>The model directory the trainer wrote.</summary>
    public string Directory { get; }

    public ModelPackage Package { get; }

    /// <summary>The catalog's features, as C# would hand them to the fuser.</summary>
    public IReadOnlyList<ItemFeatures> Items { get; }

    public TimeSpan TrainingTime { get; }

    public void Dispose()
    {
        Package.Dispose();
        try { System.IO.Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    private static List<ItemFeatures> WriteFeatures(string dir)
    {
        System.IO.Directory.CreateDirectory(dir);
        var random = new Random(3);
        var items = new List<ItemFeatures>();
        for (var i = 0; i < ItemCount; i++)
        {
            var text = Unit(Gaussian(random, 384));
            var image = i % 2 == 0 ? Gaussian(random, 512).Select(Math.Abs).ToArray() : null;
            var tokens = Enumerable.Range(0, i % 4).Select(_ => random.Next(1, AttributeBuckets)).ToArray();
            items.Add(new ItemFeatures($"sku-{i}", $"{i:x8}", text, image, tokens, i % 5 == 0 ? -1 : i % PriceBuckets));
        }

        using (var text = NpyWriter.Float32(Path.Combine(dir, "text.npy"), 384))
        using (var image = NpyWriter.Float32(Path.Combine(dir, "image.npy"), 512))
        using (var mask = NpyWriter.UInt8(Path.Combine(dir, "image_mask.npy")))
        {
            foreach (var item in items)
            {
                text.WriteRow(item.Text);
                image.WriteRow(item.Image ?? new float[512]);
                mask.WriteRow(item.Image is null ? (byte)0 : (byte)1);
            }
        }
        File.WriteAllLines(Path.Combine(dir, "items.jsonl"), items.Select((item, i) => JsonSerializer.Serialize(new
        {
            id = item.Id, contentHash = item.ContentHash, category = Categories[i % 3],
            modalities = new[] { "text", "image", "attributes", "price" },
        })));
        File.WriteAllLines(Path.Combine(dir, "attributes.jsonl"), items.Select(item => JsonSerializer.Serialize(new
        {
            id = item.Id, tokens = item.AttributeTokens, priceBucket = item.PriceBucket,
        })));
        File.WriteAllText(Path.Combine(dir, "features.json"), JsonSerializer.Serialize(new
        {
            count = ItemCount, textModel = "all-MiniLM-L6-v2", textDim = 384, imageModel = "resnet18", imageDim = 512,
            attributeBuckets = AttributeBuckets, priceBuckets = PriceBuckets,
        }));

        // Prompt embeddings are random here: the test checks the plumbing, not MiniLM.
        var keys = new[] { "next-item", "next-purchase", "similar", "category", "explore" }.Select(PromptTemplates.TaskKey)
            .Concat(Categories.Select(PromptTemplates.CategoryKey)).ToArray();
        File.WriteAllLines(Path.Combine(dir, "prompts.jsonl"), keys.Select(k => JsonSerializer.Serialize(new { key = k, text = "text of " + k })));
        using var prompts = NpyWriter.Float32(Path.Combine(dir, "prompts.npy"), 384);
        foreach (var _ in keys) prompts.WriteRow(Unit(Gaussian(random, 384)));
        return items;
    }

    /// <summary>Users walk the catalog in order; every 4th event is a purchase.</summary>
    private static void WriteEvents(string path)
    {
        var random = new Random(5);
        var lines = new List<string> { "user_id,item_id,event,timestamp" };
        for (var u = 0; u < 12; u++)
        {
            int start = random.Next(ItemCount), length = random.Next(8, 14);
            for (var j = 0; j < length; j++)
            {
                var type = j % 4 == 3 ? "purchase" : j % 2 == 1 ? "view" : "click";
                lines.Add($"u{u},sku-{(start + j) % ItemCount},{type},{1_700_000_000 + u * 10_000 + j * 60}");
            }
        }
        File.WriteAllLines(path, lines);
    }

    private static void Train(string features, string events, string config, string output)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-m", "urm_train", "train", "--features", features, "--events", events, "--out", output, "--config", config })
            start.ArgumentList.Add(arg);
        start.Environment["PYTHONPATH"] = Path.Combine(Repository.Root(), "src", "trainer");
        start.Environment["OMP_NUM_THREADS"] = "1"; // the machine is shared
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start /usr/bin/python3.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The tiny training run took over 5 minutes.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"urm_train train exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
    }

    private static float[] Gaussian(Random random, int n)
        => Enumerable.Range(0, n).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();

    private static float[] Unit(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }
}

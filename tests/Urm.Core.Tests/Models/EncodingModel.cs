using System.Globalization;
using System.Text.Json.Nodes;
using Urm.Core.Catalog;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Text;
using Urm.Offline.FeatureFiles;
using Urm.Offline.Samples;
using Urm.Offline.Training;

namespace Urm.Core.Tests.Models;

/// <summary>
/// A tiny model trained, as `urm train` does, on real features (MiniLM text, hashed attributes, price
/// buckets) of a generated shop. <see cref="TinyModel"/> cannot stand in: its features are random and
/// its attribute and price buckets are far fewer than the extractor hashes into, so it cannot fuse what
/// the serving path extracts. A copy of the package under another version gives a second model to swap to.
/// </summary>
public sealed class EncodingModel : IAsyncLifetime
{
    public const int ItemCount = 20;

    private static readonly object Config = new
    {
        d = 16, d_card = 16, content_card = 8, layers = 1, heads = 2, M = 2, L = 6, dropout = 0.0, batch = 32,
        epochs = 1, patience = 1, threads = 1, seed = 7,
    };

    public string Root { get; } = System.IO.Directory.CreateTempSubdirectory("urm-encoding-model-").FullName;

    /// <summary>The trained package, version <see cref="Version"/>.</summary>
    public string Directory => Path.Combine(Root, "model");

    /// <summary>The same graphs under version <see cref="SecondVersion"/>.</summary>
    public string SecondDirectory => Path.Combine(Root, "model-v2");

    public string Version { get; private set; } = "";

    public string SecondVersion => Version + "-second";

    /// <summary>The shop the model was trained on, without images (no image encoder in these tests).</summary>
    public IReadOnlyList<CatalogItem> Items { get; } = SampleCatalog.Generate(ItemCount, seed: 5).Select(i => i with { Image = null }).ToList();

    public TextEncoder Text { get; } = TextEncoder.Load(new TextEncoderOptions(Session: TinyModel.Session));

    public async Task InitializeAsync()
    {
        var catalog = Path.Combine(Root, "catalog.jsonl");
        await WriteCatalogAsync(catalog, Items, default);
        var features = Path.Combine(Root, "features");
        var cache = new InMemoryFeatureCache();
        await FeatureExport.RunAsync(catalog, features, Text, null, cache, null, default);
        await PromptExport.WriteAsync(features, Text, default);
        var events = Path.Combine(Root, "events.csv");
        WriteEvents(events);
        var config = Path.Combine(Root, "tiny.json");
        await File.WriteAllTextAsync(config, System.Text.Json.JsonSerializer.Serialize(Config));

        var output = new List<string>();
        var trainer = new PythonTrainer(PythonTrainer.DefaultPython, Path.Combine(Repository.Root(), "src", "trainer"));
        var exitCode = await trainer.RunAsync(["train", "--features", features, "--events", events, "--out", Directory, "--config", config], output.Add, default);
        if (exitCode != 0) throw new InvalidOperationException($"urm_train train exited with {exitCode}:\n{string.Join('\n', output)}");

        CopyDirectory(Directory, SecondDirectory);
        var manifestPath = Path.Combine(SecondDirectory, "manifest.json");
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath))!;
        Version = manifest["version"]!.GetValue<string>();
        manifest["version"] = SecondVersion;
        await File.WriteAllTextAsync(manifestPath, manifest.ToJsonString());
    }

    public Task DisposeAsync()
    {
        Text.Dispose();
        try { System.IO.Directory.Delete(Root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    public static async Task WriteCatalogAsync(string path, IEnumerable<CatalogItem> items, CancellationToken cancellationToken)
    {
        await using var writer = new CatalogWriter(File.Create(path));
        foreach (var item in items) await writer.WriteAsync(item, cancellationToken);
    }

    /// <summary>Shoppers walk the catalog in order; some events are purchases.</summary>
    private static void WriteEvents(string path)
    {
        var random = new Random(9);
        var lines = new List<string> { "user_id,item_id,event,timestamp" };
        for (var u = 0; u < 10; u++)
        {
            int start = random.Next(ItemCount), length = random.Next(6, 10);
            for (var j = 0; j < length; j++)
            {
                var type = j % 4 == 3 ? "purchase" : "view";
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"u{u},sku-{1 + (start + j) % ItemCount},{type},{1_700_000_000 + u * 10_000 + j * 60}"));
            }
        }
        File.WriteAllLines(path, lines);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in System.IO.Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            System.IO.Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        System.IO.Directory.CreateDirectory(to);
        foreach (var file in System.IO.Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
    }
}

using System.Globalization;
using System.Text.Json;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Text;
using Urm.Offline.FeatureFiles;
using Urm.Offline.Samples;
using Urm.Offline.Training;

namespace Urm.Cli.Tests.Serve;

/// <summary>
/// A real tiny model trained, as `urm train` does, on real features (MiniLM text, hashed attributes,
/// price buckets) of a generated shop: the same recipe as Urm.Core.Tests' <c>EncodingModel</c>, so the
/// serving path can fuse and serve what it extracts. A derived shop may bring its own items, events and epochs.
/// </summary>
public class ServeModel : IAsyncLifetime
{
    public const int ItemCount = 20;

    private readonly Action<string> _writeEvents;
    private readonly int _epochs;
    private readonly double _paraphraseShare;
    private readonly double _auxShare;
    private readonly int _seed;

    // xUnit builds a class fixture through its one public constructor, which must take no parameters
    // (an optional one does not count): other seeds come through Seeded.
    public ServeModel() : this(seed: 7)
    {
    }

    /// <summary>The model of another seed: another model (another version) on the same shop.</summary>
    public static ServeModel Seeded(int seed) => new(seed);

    private ServeModel(int seed) : this(SampleCatalog.Generate(ItemCount, seed: 5).Select(i => i with { Image = null }).ToList(), WriteEvents, epochs: 1, seed: seed)
    {
    }

    /// <param name="writeEvents">Writes the training events (CSV or JSONL by the path's extension) to the path it is given.</param>
    /// <param name="paraphraseShare">The trainer's paraphrase_share (its default, 0.2, unless a shop's test needs otherwise).</param>
    /// <param name="auxShare">The trainer's aux_share (its default, 0.35, unless a shop's test needs otherwise).</param>
    protected ServeModel(IReadOnlyList<CatalogItem> items, Action<string> writeEvents, int epochs, double paraphraseShare = 0.2, double auxShare = 0.35, int seed = 7)
        => (Items, _writeEvents, _epochs, _paraphraseShare, _auxShare, _seed) = (items, writeEvents, epochs, paraphraseShare, auxShare, seed);

    private object Config => new
    {
        d = 16, d_card = 16, content_card = 8, layers = 1, heads = 2, M = 2, L = 6, dropout = 0.0, batch = 32,
        epochs = _epochs, patience = _epochs, threads = 1, seed = _seed, paraphrase_share = _paraphraseShare,
        aux_share = _auxShare,
    };

    public string Root { get; } = System.IO.Directory.CreateTempSubdirectory("urm-serve-model-").FullName;

    public string Directory => Path.Combine(Root, "model");

    public IReadOnlyList<CatalogItem> Items { get; }

    /// <summary>The trained model's version, from its manifest.</summary>
    public string Version
    {
        get
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "manifest.json")));
            return manifest.RootElement.GetProperty("version").GetString()!;
        }
    }

    public virtual async Task InitializeAsync()
    {
        using var text = TextEncoder.Load(new TextEncoderOptions(Session: new EncoderSessionOptions(IntraOpThreads: 1)));
        var catalog = Path.Combine(Root, "catalog.jsonl");
        await WriteCatalogAsync(catalog, Items);
        var features = Path.Combine(Root, "features");
        await FeatureExport.RunAsync(catalog, features, text, null, new InMemoryFeatureCache(), null, default);
        await PromptExport.WriteAsync(features, text, default);
        var events = Path.Combine(Root, "events.csv");
        _writeEvents(events);
        var config = Path.Combine(Root, "tiny.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(Config));

        var output = new List<string>();
        var trainer = PythonTrainer.Default();
        var exitCode = await trainer.RunAsync(["train", "--features", features, "--events", events, "--out", Directory, "--config", config], output.Add, default);
        if (exitCode != 0) throw new InvalidOperationException($"urm_train train exited with {exitCode}:\n{string.Join('\n', output)}");
    }

    public virtual Task DisposeAsync()
    {
        try { System.IO.Directory.Delete(Root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    public static async Task WriteCatalogAsync(string path, IEnumerable<CatalogItem> items)
    {
        await using var writer = new CatalogWriter(File.Create(path));
        foreach (var item in items) await writer.WriteAsync(item, default);
    }

    /// <summary>Shoppers walk the catalog in order; every fourth event is a purchase.</summary>
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
}

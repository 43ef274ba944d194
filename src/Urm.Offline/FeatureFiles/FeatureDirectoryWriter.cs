using System.Text.Encodings.Web;
using System.Text.Json;
using Urm.Core.Features;

namespace Urm.Offline.FeatureFiles;

/// <summary>
/// Writes the features directory the trainer reads (docs/FORMATS.md): items.jsonl, text.npy,
/// image.npy + image_mask.npy, attributes.jsonl and features.json. Rows are streamed; nothing is held.
/// </summary>
public sealed class FeatureDirectoryWriter : IAsyncDisposable
{
    public const int TextDimension = 384;
    public const int ImageDimension = 512;

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly float[] NoImage = new float[ImageDimension];

    private readonly string _directory;
    private readonly StreamWriter _items;
    private readonly StreamWriter _attributes;
    private readonly NpyWriter _text;
    private readonly NpyWriter _image;
    private readonly NpyWriter _imageMask;
    private readonly int _attributeBuckets;
    private readonly int _priceBuckets;

    public FeatureDirectoryWriter(string directory, int attributeBuckets, int priceBuckets)
    {
        Directory.CreateDirectory(directory);
        _directory = directory;
        _attributeBuckets = attributeBuckets;
        _priceBuckets = priceBuckets;
        _items = new StreamWriter(Path.Combine(directory, "items.jsonl"));
        _attributes = new StreamWriter(Path.Combine(directory, "attributes.jsonl"));
        _text = NpyWriter.Float32(Path.Combine(directory, "text.npy"), TextDimension);
        _image = NpyWriter.Float32(Path.Combine(directory, "image.npy"), ImageDimension);
        _imageMask = NpyWriter.UInt8(Path.Combine(directory, "image_mask.npy"));
    }

    public long Count => _text.Rows;

    /// <param name="category">The category path, for the trainer's category-restricted task; null when absent.</param>
    public async Task WriteAsync(ItemFeatures features, string? category, CancellationToken cancellationToken)
    {
        var modalities = new List<string>(4) { "text" };
        if (features.Image is not null) modalities.Add("image");
        if (features.AttributeTokens.Length > 0) modalities.Add("attributes");
        if (features.PriceBucket >= 0) modalities.Add("price");

        await _items.WriteLineAsync(JsonSerializer.Serialize(
            new { id = features.Id, contentHash = features.ContentHash, modalities, category }, Json).AsMemory(), cancellationToken);
        await _attributes.WriteLineAsync(JsonSerializer.Serialize(
            new { id = features.Id, tokens = features.AttributeTokens, priceBucket = features.PriceBucket }, Json).AsMemory(), cancellationToken);
        _text.WriteRow(features.Text);
        _image.WriteRow(features.Image ?? NoImage);
        _imageMask.WriteRow(features.Image is null ? (byte)0 : (byte)1);
    }

    public async ValueTask DisposeAsync()
    {
        var count = Count;
        await _items.DisposeAsync();
        await _attributes.DisposeAsync();
        _text.Dispose();
        _image.Dispose();
        _imageMask.Dispose();
        var manifest = new
        {
            count,
            textModel = "all-MiniLM-L6-v2",
            textDim = TextDimension,
            imageModel = "resnet18",
            imageDim = ImageDimension,
            attributeBuckets = _attributeBuckets,
            priceBuckets = _priceBuckets,
        };
        await File.WriteAllTextAsync(Path.Combine(_directory, "features.json"), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
    }
}

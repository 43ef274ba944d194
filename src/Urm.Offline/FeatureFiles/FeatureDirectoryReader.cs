using System.Text.Json;
using Urm.Core.Features;

namespace Urm.Offline.FeatureFiles;

/// <summary>
/// Reads a features directory (docs/FORMATS.md) back into <see cref="ItemFeatures"/>, row i = item i:
/// exactly the rows the trainer read, so cards fused from them are the cards training scored.
/// </summary>
public static class FeatureDirectoryReader
{
    /// <exception cref="InvalidDataException">A file is missing or the files disagree on the items.</exception>
    public static IReadOnlyList<ItemFeatures> Read(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var items = ReadJsonLines(Path.Combine(directory, "items.jsonl"));
        var attributes = ReadJsonLines(Path.Combine(directory, "attributes.jsonl"));
        var n = items.Count;
        var text = NpyReader.Float32(Need(directory, "text.npy"));
        if (attributes.Count != n || text.Shape.Length != 2 || text.Shape[0] != n)
            throw new InvalidDataException($"{directory}: items.jsonl has {n} rows, attributes.jsonl {attributes.Count}, text.npy shape ({string.Join(", ", text.Shape)}): the files are not from one run.");
        var textDim = text.Shape[1];

        // No image files means no images at all (the trainer reads it the same way).
        float[]? image = null;
        byte[]? mask = null;
        var imageDim = 0;
        if (File.Exists(Path.Combine(directory, "image.npy")))
        {
            var imageArray = NpyReader.Float32(Path.Combine(directory, "image.npy"));
            var maskArray = NpyReader.UInt8(Need(directory, "image_mask.npy"));
            if (imageArray.Shape.Length != 2 || imageArray.Shape[0] != n || maskArray.Values.Length != n)
                throw new InvalidDataException($"{directory}: image.npy ({string.Join(", ", imageArray.Shape)}) / image_mask.npy ({maskArray.Values.Length}) do not match {n} items.");
            (image, mask, imageDim) = (imageArray.Values, maskArray.Values, imageArray.Shape[1]);
        }

        var result = new ItemFeatures[n];
        for (var i = 0; i < n; i++)
        {
            var id = Text(items[i], "id");
            if (Text(attributes[i], "id") != id)
                throw new InvalidDataException($"{directory}: row {i + 1} of attributes.jsonl is item '{Text(attributes[i], "id")}', of items.jsonl '{id}'.");
            var tokens = attributes[i].TryGetProperty("tokens", out var t) ? t.EnumerateArray().Select(x => x.GetInt32()).ToArray() : [];
            var price = attributes[i].TryGetProperty("priceBucket", out var p) ? p.GetInt32() : -1;
            var hash = items[i].TryGetProperty("contentHash", out var h) ? h.GetString() ?? "" : "";
            var pixels = mask is not null && mask[i] != 0 ? image.AsSpan(i * imageDim, imageDim).ToArray() : null;
            result[i] = new ItemFeatures(id, hash, text.Values.AsSpan(i * textDim, textDim).ToArray(), pixels, tokens, price);
        }
        return result;
    }

    /// <summary>
    /// Each item's category path from items.jsonl, row for row with <see cref="Read"/>, as the catalog
    /// spells it (so as the trainer keyed its category prompts); null where the item has none.
    /// </summary>
    /// <exception cref="InvalidDataException">items.jsonl is missing or a category is not a string.</exception>
    public static IReadOnlyList<string?> ReadCategories(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return ReadJsonLines(Path.Combine(directory, "items.jsonl")).Select(row =>
            !row.TryGetProperty("category", out var c) || c.ValueKind == JsonValueKind.Null ? null
            : c.ValueKind == JsonValueKind.String ? (string.IsNullOrWhiteSpace(c.GetString()) ? null : c.GetString())
            : throw new InvalidDataException($"{directory}: item '{Text(row, "id")}' has a category that is not a string ({c.ValueKind}).")).ToList();
    }

    private static string Need(string directory, string file)
    {
        var path = Path.Combine(directory, file);
        return File.Exists(path) ? path : throw new InvalidDataException($"{path} is missing; rerun `urm features` for this catalog.");
    }

    private static List<JsonElement> ReadJsonLines(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path} is missing; rerun `urm features` for this catalog.");
        var rows = new List<JsonElement>();
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using var doc = JsonDocument.Parse(text);
                rows.Add(doc.RootElement.Clone());
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}, line {line}: {e.Message}", e);
            }
        }
        return rows;
    }

    private static string Text(JsonElement row, string name)
        => row.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()
            : throw new InvalidDataException($"A features row lacks '{name}'.");
}

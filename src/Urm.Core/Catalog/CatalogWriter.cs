using System.Text.Encodings.Web;
using System.Text.Json;

namespace Urm.Core.Catalog;

/// <summary>Writes catalog rows as JSON Lines in the contract's column names.</summary>
public sealed class CatalogWriter(Stream stream) : IAsyncDisposable
{
    // Readable files: '>' in category paths and quotes in titles stay as they are.
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly StreamWriter _writer = new(stream, new System.Text.UTF8Encoding(false));

    public async Task WriteAsync(CatalogItem item, CancellationToken cancellationToken)
    {
        var row = new Dictionary<string, object?> { ["id"] = item.Id, ["title"] = item.Title };
        if (item.Description is not null) row["description"] = item.Description;
        if (item.Category is not null) row["category"] = item.Category;
        if (item.Brand is not null) row["brand"] = item.Brand;
        if (item.Price is not null) row["price"] = item.Price;
        if (item.Attributes.Count > 0) row["attributes"] = item.Attributes;
        if (item.Image is not null) row["image"] = item.Image;
        if (!item.Available) row["available"] = false;
        await _writer.WriteLineAsync(JsonSerializer.Serialize(row, Json).AsMemory(), cancellationToken);
    }

    public async ValueTask DisposeAsync() => await _writer.DisposeAsync();
}

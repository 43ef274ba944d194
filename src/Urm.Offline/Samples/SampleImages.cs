using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Urm.Core.Catalog;

namespace Urm.Offline.Samples;

/// <summary>
/// Draws a product picture for a sample item: a shape per department in the item's colour on a light
/// background, so that images carry real signal (colour, shape) for the image encoder.
/// </summary>
public static class SampleImages
{
    private static readonly Dictionary<string, Rgba32> Palette = new()
    {
        ["red"] = new(220, 30, 40), ["blue"] = new(30, 70, 200), ["green"] = new(40, 160, 60), ["black"] = new(20, 20, 20),
        ["white"] = new(245, 245, 245), ["yellow"] = new(240, 210, 30), ["orange"] = new(245, 140, 20), ["purple"] = new(130, 40, 160),
    };

    public static Image<Rgba32> Draw(CatalogItem item, int size = 256)
    {
        var color = Palette.GetValueOrDefault(item.Attributes.GetValueOrDefault("color") ?? "", new Rgba32(128, 128, 128));
        var shape = Array.FindIndex(SampleCatalog.Departments, d => d.Category == item.Category);
        var seed = StableSeed(item.Id);
        var image = new Image<Rgba32>(size, size);
        var background = new Rgba32((byte)(200 + seed % 40), (byte)(200 + seed / 40 % 40), 210);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < size; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < size; x++)
                    row[x] = Inside(shape, (x - size / 2f) / (size * 0.35f), (y - size / 2f) / (size * 0.35f)) ? color : background;
            }
        });
        return image;
    }

    public static async Task SaveAsync(CatalogItem item, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = Draw(item);
        await image.SaveAsPngAsync(path, cancellationToken);
    }

    // Unit coordinates: the shape spans roughly [-1, 1] on both axes.
    private static bool Inside(int shape, float x, float y) => (shape % 5) switch
    {
        0 => x * x + y * y <= 1,                                  // disc
        1 => Math.Abs(x) <= 0.9f && Math.Abs(y) <= 0.6f,          // wide box
        2 => y >= -0.8f && y <= 0.8f && Math.Abs(x) <= (y + 0.8f) / 1.6f, // triangle
        3 => Math.Abs(x) + Math.Abs(y) <= 1,                      // diamond
        _ => x * x + y * y <= 1 && x * x + y * y >= 0.4f,         // ring
    } ^ (shape >= 5 && Math.Abs(x) < 0.1f);                       // a stripe tells the second five departments apart

    private static int StableSeed(string id)
    {
        var hash = 17;
        foreach (var c in id) hash = unchecked(hash * 31 + c);
        return Math.Abs(hash % 1600);
    }
}

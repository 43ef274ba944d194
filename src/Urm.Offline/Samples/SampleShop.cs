using Urm.Core.Catalog;
using Urm.Core.Events;

namespace Urm.Offline.Samples;

/// <summary>Where <see cref="SampleShop.WriteAsync"/> put the sample shop.</summary>
public sealed record SampleShopFiles(string Catalog, string Events, string Images, IReadOnlyList<CatalogItem> Items, int EventCount)
{
    public int ItemCount => Items.Count;
}

/// <summary>
/// The whole sample shop on disk: <c>catalog/catalog.jsonl</c> (<see cref="SampleCatalog"/>), its drawn
/// pictures under <c>catalog/images/</c> (<see cref="SampleImages"/>, referenced relative to the catalog)
/// and <c>events.csv</c> (<see cref="SampleEvents"/>). The catalog folder holds nothing else, so it can be
/// served as it is (<c>urm serve --catalog-dir</c>). What the demo model is trained on and the demo serves.
/// </summary>
public static class SampleShop
{
    public const int DefaultItems = 240;
    public const int DefaultShoppers = 3000;

    public static async Task<SampleShopFiles> WriteAsync(string folder, int items, int shoppers, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(items);
        var catalogFolder = Path.Combine(folder, "catalog");
        Directory.CreateDirectory(catalogFolder);
        var catalog = SampleCatalog.Generate(items).ToList();
        var catalogPath = Path.Combine(catalogFolder, "catalog.jsonl");
        await using (var writer = new CatalogWriter(File.Create(catalogPath)))
        {
            foreach (var item in catalog) await writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        foreach (var item in catalog)
        {
            var image = Path.Combine(catalogFolder, item.Image!);
            // Pictures depend on the item alone: a rerun keeps the ones already drawn.
            if (!File.Exists(image)) await SampleImages.SaveAsync(item, image, cancellationToken).ConfigureAwait(false);
        }
        var eventsPath = Path.Combine(folder, "events.csv");
        var count = 0;
        await using (var writer = new EventWriter(File.Create(eventsPath)))
        {
            foreach (var e in SampleEvents.Generate(catalog, shoppers))
            {
                await writer.WriteAsync(e, cancellationToken).ConfigureAwait(false);
                count++;
            }
        }
        return new SampleShopFiles(catalogPath, eventsPath, Path.Combine(catalogFolder, "images"), catalog, count);
    }
}

using Urm.Core.Catalog;

namespace Urm.Core.Tests.Catalog;

/// <summary>Reads a whole catalog into a list, for tests small enough to hold one.</summary>
internal static class CatalogRead
{
    public static async Task<(List<CatalogItem> Items, ReadReport Report)> AllAsync(
        InMemorySource source, CatalogFormat format, CatalogLimits? limits = null)
    {
        var report = new ReadReport();
        var items = new List<CatalogItem>();
        await foreach (var item in CatalogReader.ReadAsync(source.Open, format, report, limits ?? CatalogLimits.Default, CancellationToken.None))
        {
            items.Add(item);
        }

        return (items, report);
    }

    public static Task<(List<CatalogItem> Items, ReadReport Report)> JsonLinesAsync(params string[] lines) =>
        AllAsync(InMemorySource.Lines(lines), CatalogFormat.JsonLines);

    public static Task<(List<CatalogItem> Items, ReadReport Report)> CsvAsync(params string[] lines) =>
        AllAsync(InMemorySource.Lines(lines), CatalogFormat.Csv);
}

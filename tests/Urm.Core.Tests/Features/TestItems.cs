using Urm.Core.Catalog;

namespace Urm.Core.Tests.Features;

internal static class TestItems
{
    public static CatalogItem Make(
        string id = "sku-1",
        string title = "Velvet matte lipstick",
        string? description = "A long lasting lipstick.",
        string? category = "Beauty > Makeup > Lips",
        string? brand = "Acme",
        double? price = 12.5,
        IReadOnlyDictionary<string, string>? attributes = null,
        string? image = null)
        => new(id, title, description, category, brand, price,
            attributes ?? new Dictionary<string, string> { ["Colour"] = "Red", ["finish"] = "Matte" }, image, true);
}

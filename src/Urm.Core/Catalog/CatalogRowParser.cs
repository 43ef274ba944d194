using Urm.Core.Catalog.Rows;
using Urm.Core.Text;

namespace Urm.Core.Catalog;

/// <summary>Gives a raw row its catalog meaning, or the first reason it cannot be used.</summary>
internal static class CatalogRowParser
{
    public static readonly string[] RequiredColumns = ["id", "title"];

    public static RowError? Parse(RawRow row, CatalogLimits limits, out CatalogItem? item)
    {
        item = null;
        if (row.Problem is not null)
        {
            return new RowError(row.Line, null, row.Problem);
        }

        var problem = row["id"].GetText("id", acceptNumber: true, out var id);
        if (problem is not null || id is null)
        {
            return new RowError(row.Line, null, problem ?? "'id' is missing or empty; every row needs an id");
        }

        if (id.Length > limits.MaxIdLength)
        {
            return new RowError(row.Line, null, TooLong("id", id.Length, limits.MaxIdLength));
        }

        problem = Parse(row, limits, id, out item);
        return problem is null ? null : new RowError(row.Line, id, problem);
    }

    private static string? Parse(RawRow row, CatalogLimits limits, string id, out CatalogItem? item)
    {
        item = null;
        string? description = null, category = null, brand = null, image = null;
        double? price = null;
        IReadOnlyDictionary<string, string>? attributes = null;
        bool? available = null;
        var problem =
            Text(row, "title", limits.MaxTitleLength, out var title)
            ?? (title is null ? "'title' is missing or empty; every row needs a title" : null)
            ?? Text(row, "description", limits.MaxDescriptionLength, out description)
            ?? Text(row, "category", limits.MaxCategoryLength, out category)
            ?? Text(row, "brand", limits.MaxBrandLength, out brand)
            ?? Price(row, out price)
            ?? Attributes(row, limits, out attributes)
            ?? Image(row, limits, out image)
            ?? row["available"].GetFlag("available", out available);
        if (problem is not null)
        {
            return problem;
        }

        item = new CatalogItem(id, title!, description, category, brand, price, attributes!, image, available ?? true);
        return null;
    }

    private static string? Text(RawRow row, string field, int maxLength, out string? value) =>
        row[field].GetText(field, acceptNumber: false, out value)
        ?? (value is not null && value.Length > maxLength ? TooLong(field, value.Length, maxLength) : null);

    private static string? Price(RawRow row, out double? price) =>
        row["price"].GetNumber("price", out price)
        ?? (price < 0 ? $"'price' must not be negative, got {price}" : null);

    private static string? Attributes(RawRow row, CatalogLimits limits, out IReadOnlyDictionary<string, string>? attributes)
    {
        attributes = null;
        var problem = row["attributes"].GetStringMap("attributes", out var pairs);
        if (problem is not null)
        {
            return problem;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs ?? [])
        {
            if (key.Length > limits.MaxAttributeKeyLength)
            {
                return $"'attributes' key \"{Quoting.Shorten(key, 20)}\" is {key.Length} characters long; the limit is {limits.MaxAttributeKeyLength}";
            }

            if (value.Length > limits.MaxAttributeValueLength)
            {
                return $"'attributes' value of '{key}' is {value.Length} characters long; the limit is {limits.MaxAttributeValueLength}";
            }

            map[key] = value;
        }

        if (map.Count > limits.MaxAttributes)
        {
            return $"'attributes' has {map.Count} entries; the limit is {limits.MaxAttributes}";
        }

        attributes = map;
        return null;
    }

    private static string? Image(RawRow row, CatalogLimits limits, out string? image) =>
        Text(row, "image", limits.MaxImageLength, out image)
        ?? (image is null ? null : ImageReference.Problem(image));

    private static string TooLong(string field, int length, int max) =>
        $"'{field}' is {length} characters long; the limit is {max}";
}

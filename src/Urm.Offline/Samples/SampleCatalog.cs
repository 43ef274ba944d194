using System.Globalization;
using Urm.Core.Catalog;

namespace Urm.Offline.Samples;

/// <summary>
/// A licence-clean sample shop made up by our own code: products with titles, descriptions, brands,
/// prices, attributes and a drawn picture each. Deterministic for a seed. Used by benchmarks and the demo.
/// </summary>
public static class SampleCatalog
{
    public sealed record Department(string Category, string[] Products, string[] Materials, (string Key, string[] Values) Attribute, double BasePrice);

    public static readonly Department[] Departments =
    [
        new("Shoes > Running", ["running shoes", "trail runners", "racing flats", "jogging sneakers"], ["mesh", "knit", "leather"], ("size", ["38", "40", "42", "44"]), 90),
        new("Shoes > Boots", ["hiking boots", "chelsea boots", "rain boots", "winter boots"], ["leather", "suede", "rubber"], ("size", ["38", "40", "42", "44"]), 120),
        new("Kitchen > Cookware", ["saucepan", "frying pan", "stock pot", "wok"], ["stainless steel", "cast iron", "copper"], ("diameter", ["20 cm", "24 cm", "28 cm"]), 45),
        new("Kitchen > Coffee", ["coffee grinder", "espresso cups", "french press", "pour-over kettle"], ["ceramic", "glass", "steel"], ("capacity", ["0.3 l", "0.6 l", "1 l"]), 35),
        new("Outdoor > Camping", ["tent", "sleeping bag", "camping stove", "headlamp"], ["nylon", "polyester", "aluminium"], ("season", ["summer", "3-season", "winter"]), 80),
        new("Outdoor > Cycling", ["bike helmet", "cycling gloves", "bike light", "water bottle"], ["plastic", "carbon", "aluminium"], ("fit", ["small", "medium", "large"]), 30),
        new("Beauty > Skin Care", ["face cream", "sunscreen", "cleansing gel", "serum"], ["aloe", "vitamin c", "hyaluronic"], ("skin", ["dry", "oily", "sensitive"]), 20),
        new("Beauty > Makeup", ["lipstick", "nail polish", "mascara", "eyeliner"], ["matte", "gloss", "shimmer"], ("finish", ["matte", "satin", "glossy"]), 15),
        new("Home > Lighting", ["desk lamp", "floor lamp", "pendant light", "night light"], ["brass", "wood", "glass"], ("bulb", ["E27", "E14", "LED"]), 60),
        new("Books > Cooking", ["pasta cookbook", "baking cookbook", "vegan cookbook", "grilling guide"], ["hardcover", "paperback"], ("language", ["English", "German", "French"]), 25),
    ];

    public static readonly string[] Colors = ["red", "blue", "green", "black", "white", "yellow", "orange", "purple"];
    private static readonly string[] Brands = ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Adatum", "Litware", "Proseware", "Woodgrove"];
    private static readonly string[] Qualities = ["lightweight", "durable", "classic", "compact", "premium", "everyday", "eco-friendly", "handmade"];

    /// <summary>Items with ids "sku-1".."sku-N" and image references "images/sku-N.png".</summary>
    public static IEnumerable<CatalogItem> Generate(int count, int seed = 42)
    {
        var random = new Random(seed);
        for (var i = 1; i <= count; i++)
        {
            var department = Departments[random.Next(Departments.Length)];
            var product = department.Products[random.Next(department.Products.Length)];
            var color = Colors[random.Next(Colors.Length)];
            var material = department.Materials[random.Next(department.Materials.Length)];
            var brand = Brands[random.Next(Brands.Length)];
            var quality = Qualities[random.Next(Qualities.Length)];
            var value = department.Attribute.Values[random.Next(department.Attribute.Values.Length)];
            var price = Math.Round(department.BasePrice * (0.5 + random.NextDouble() * 1.5), 2);
            yield return new CatalogItem(
                Id: "sku-" + i.ToString(CultureInfo.InvariantCulture),
                Title: $"{brand} {quality} {color} {material} {product}",
                Description: $"A {quality} {product} in {color}, made of {material}. {department.Attribute.Key}: {value}. " +
                             $"Part of the {brand} {department.Category.Split('>')[^1].Trim().ToLowerInvariant()} range.",
                Category: department.Category,
                Brand: brand,
                Price: price,
                Attributes: new Dictionary<string, string> { ["color"] = color, ["material"] = material, [department.Attribute.Key] = value },
                Image: $"images/sku-{i}.png",
                Available: random.NextDouble() > 0.05);
        }
    }
}

using System.Globalization;
using Urm.Core.Catalog;
using Urm.Offline.Samples;

namespace Urm.Cli.Tests.Serve;

/// <summary>
/// A shop with a pattern planted in its events: three departments of ten items each, and every shopper
/// browses one department only. A model trained on it has learned that a history in one category goes on
/// in that category, which is what a recommendation by user id must show when the history is stored.
/// </summary>
public sealed class PlantedShopModel : ServeModel
{
    public static readonly string[] Categories = ["Shoes > Boots", "Kitchen > Coffee", "Beauty > Makeup"];

    // Next-item rows only: no paraphrased instructions, no other tasks. In 8 epochs this 30-item model learns
    // the planted pattern, but not that and the rest too (with a fifth of its rows in other wordings a user of
    // the third department got 3 of 5 in it; with the defaults' other tasks at aux_share 0.35, 2 of 5). What
    // the tests check is the stored history, not wordings or tasks.
    public PlantedShopModel() : base(Catalog(), WriteEvents, epochs: 8, paraphraseShare: 0, auxShare: 0)
    {
    }

    private static List<CatalogItem> Catalog()
        => SampleCatalog.Generate(400, seed: 12).Where(i => Categories.Contains(i.Category)).GroupBy(i => i.Category)
            .SelectMany(g => g.Take(10)).Select(i => i with { Image = null }).ToList();

    /// <summary>120 shoppers, 40 per department, each viewing 8 of its items (a purchase every fourth).</summary>
    private static void WriteEvents(string path)
    {
        var items = Catalog();
        var random = new Random(13);
        var lines = new List<string> { "user_id,item_id,event,timestamp" };
        for (var u = 0; u < 120; u++)
        {
            var department = items.Where(i => i.Category == Categories[u % Categories.Length]).ToList();
            for (var j = 0; j < 8; j++)
            {
                var item = department[random.Next(department.Count)];
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"p{u},{item.Id},{(j % 4 == 3 ? "purchase" : "view")},{1_700_000_000 + u * 10_000 + j * 60}"));
            }
        }
        File.WriteAllLines(path, lines);
    }
}

/// <summary>`urm serve` over the planted shop's model.</summary>
public sealed class PlantedServeFixture() : ServeFixture(new PlantedShopModel());

[CollectionDefinition(Name)]
public sealed class PlantedShopCollection : ICollectionFixture<PlantedServeFixture>
{
    public const string Name = "urm serve, planted shop";
}

using System.Globalization;
using Urm.Core.Catalog;
using Urm.Core.Events;

namespace Urm.Offline.Samples;

/// <summary>
/// Shoppers of the sample shop (<see cref="SampleCatalog"/>), made up by our own code. Each has one or two
/// favourite departments and a favourite colour; they browse mostly there, move on to a department's
/// companion (running shoes, then cycling gear; cookware, then cookbooks), and now and then put an item
/// in the cart and buy it. The patterns are what a model trained on these events can learn, and what
/// the demo's answers show. Deterministic for a seed.
/// </summary>
public static class SampleEvents
{
    /// <summary>The department a shopper tends to visit after another.</summary>
    public static readonly IReadOnlyDictionary<string, string> Companions = new Dictionary<string, string>
    {
        ["Shoes > Running"] = "Outdoor > Cycling",
        ["Outdoor > Cycling"] = "Shoes > Running",
        ["Shoes > Boots"] = "Outdoor > Camping",
        ["Outdoor > Camping"] = "Shoes > Boots",
        ["Kitchen > Cookware"] = "Books > Cooking",
        ["Books > Cooking"] = "Kitchen > Cookware",
        ["Kitchen > Coffee"] = "Home > Lighting",
        ["Home > Lighting"] = "Kitchen > Coffee",
        ["Beauty > Skin Care"] = "Beauty > Makeup",
        ["Beauty > Makeup"] = "Beauty > Skin Care",
    };

    public static readonly DateTimeOffset Start = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Events of <paramref name="shoppers"/> shoppers ("user-1".."user-N"), each in time order.</summary>
    public static IEnumerable<UserEvent> Generate(IReadOnlyList<CatalogItem> items, int shoppers, int seed = 7)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shoppers);
        var byDepartment = items.Where(i => i.Category is not null).GroupBy(i => i.Category!).ToDictionary(g => g.Key, g => g.ToArray());
        if (byDepartment.Count == 0) throw new ArgumentException("The items have no categories; generate them with SampleCatalog.", nameof(items));
        var departments = byDepartment.Keys.Order(StringComparer.Ordinal).ToArray();
        var random = new Random(seed);
        for (var u = 1; u <= shoppers; u++)
        {
            var user = "user-" + u.ToString(CultureInfo.InvariantCulture);
            var favourites = new[] { departments[random.Next(departments.Length)], departments[random.Next(departments.Length)] };
            var colour = SampleCatalog.Colors[random.Next(SampleCatalog.Colors.Length)];
            var time = Start.AddHours(random.Next(24 * 60));
            var department = favourites[0];
            var length = 6 + random.Next(20);
            for (var step = 0; step < length; step++)
            {
                var roll = random.NextDouble();
                department = roll < 0.55 ? department
                    : roll < 0.80 ? Companions.GetValueOrDefault(department, department)
                    : roll < 0.95 ? favourites[random.Next(2)]
                    : departments[random.Next(departments.Length)];
                if (!byDepartment.TryGetValue(department, out var shelf)) shelf = byDepartment[departments[0]];
                var inColour = shelf.Where(i => i.Attributes.GetValueOrDefault("color") == colour).ToArray();
                var item = inColour.Length > 0 && random.NextDouble() < 0.6 ? inColour[random.Next(inColour.Length)] : shelf[random.Next(shelf.Length)];
                var type = random.NextDouble() switch
                {
                    < 0.70 => EventType.View,
                    < 0.85 => EventType.Click,
                    < 0.93 => EventType.Cart,
                    _ => EventType.Purchase,
                };
                time = time.AddMinutes(1 + random.Next(90));
                yield return new UserEvent(user, item.Id, type, time);
            }
        }
    }
}

using Urm.Core.Events;
using Urm.Offline.Samples;

namespace Urm.Offline.Tests.Samples;

public class SampleEventsTests
{
    private static readonly List<Urm.Core.Catalog.CatalogItem> Items = SampleCatalog.Generate(120).ToList();

    [Fact]
    public void The_same_seed_gives_the_same_events_in_time_order_per_shopper()
    {
        var first = SampleEvents.Generate(Items, shoppers: 40).ToList();
        Assert.Equal(first, SampleEvents.Generate(Items, shoppers: 40).ToList());
        Assert.Equal(40, first.Select(e => e.UserId).Distinct().Count());
        var ids = Items.Select(i => i.Id).ToHashSet();
        Assert.All(first, e => Assert.Contains(e.ItemId, ids));
        foreach (var shopper in first.GroupBy(e => e.UserId))
            Assert.Equal(shopper.OrderBy(e => e.Timestamp).Select(e => e.Timestamp), shopper.Select(e => e.Timestamp));
        Assert.Contains(first, e => e.Type == EventType.Purchase);
    }

    [Fact]
    public void Shoppers_mostly_stay_in_a_department_or_move_to_its_companion()
    {
        // The pattern the demo model learns: a next event in the same or the companion department far
        // more often than the 2 in 10 that picking departments at random would give.
        var category = Items.ToDictionary(i => i.Id, i => i.Category!);
        var pairs = SampleEvents.Generate(Items, shoppers: 300).GroupBy(e => e.UserId)
            .SelectMany(g => g.Zip(g.Skip(1), (a, b) => (From: category[a.ItemId], To: category[b.ItemId])))
            .ToList();
        var related = pairs.Count(p => p.To == p.From || p.To == SampleEvents.Companions[p.From]);
        Assert.True(related > 0.6 * pairs.Count, $"{related} of {pairs.Count} steps stay or go to the companion department");
    }
}

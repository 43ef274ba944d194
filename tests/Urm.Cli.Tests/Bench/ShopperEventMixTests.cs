using Urm.Cli.Bench;

namespace Urm.Cli.Tests.Bench;

/// <summary>The batches `urm bench load --events-per-recommend` posts.</summary>
public sealed class ShopperEventMixTests
{
    private static readonly string[] Items = ["sku-1", "sku-2", "sku-3"];

    [Fact]
    public void A_batch_after_an_answer_opens_with_a_click_on_a_shown_item_naming_the_recommendation()
    {
        var mix = new ShopperEventMix(Items, 5, 3, "load-t");
        var random = new Random(7);

        for (var n = 0; n < 50; n++)
        {
            var batch = mix.Batch(random, "load-t-u1", new ShownItems("r-1", ["shown-a", "shown-b"]), "w0", n * 5);

            Assert.Equal(5, batch.Count);
            Assert.Equal(("click", "r-1"), (batch[0].Event, batch[0].RecommendationId));
            Assert.Contains(batch[0].ItemId, new[] { "shown-a", "shown-b" });
            Assert.All(batch.Skip(1), e => Assert.Null(e.RecommendationId));
            Assert.All(batch.Skip(1), e => Assert.Contains(e.ItemId, Items));
            Assert.All(batch, e => Assert.Equal("load-t-u1", e.UserId));
            Assert.Equal(Enumerable.Range(n * 5, 5).Select(i => $"load-t-w0-{i}"), batch.Select(e => e.EventId));
        }
    }

    [Fact]
    public void Without_an_answer_no_event_names_a_recommendation_and_the_kinds_are_a_shops_mix()
    {
        var mix = new ShopperEventMix(Items, 4, 2, "load-t");
        var random = new Random(3);

        var events = Enumerable.Range(0, 500).SelectMany(n => mix.Batch(random, mix.User(random), null, "w1", n * 4)).ToList();

        Assert.All(events, e => Assert.Null(e.RecommendationId));
        Assert.Equal(["cart", "click", "purchase", "view"], events.Select(e => e.Event).Distinct().Order());
        Assert.True(events.Count(e => e.Event == "view") > events.Count / 2, "views are most of the mix");
        Assert.Equal(["load-t-u0", "load-t-u1"], events.Select(e => e.UserId).Distinct().Order());
    }
}

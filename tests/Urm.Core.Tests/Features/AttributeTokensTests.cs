using Urm.Core.Features.Attributes;

namespace Urm.Core.Tests.Features;

public class AttributeTokensTests
{
    [Fact]
    public void Token_strings_cover_brand_each_category_prefix_and_each_attribute()
    {
        var tokens = AttributeTokens.Tokens(TestItems.Make(brand: " Acme ")).ToArray();

        Assert.Equal(
            ["brand:acme", "cat:beauty", "cat:beauty>makeup", "cat:beauty>makeup>lips", "attr:colour=red", "attr:finish=matte"],
            tokens);
    }

    [Fact]
    public void Ids_are_pinned_so_that_a_hash_change_is_caught()
    {
        // FNV-1a 64 of the UTF-8 bytes, mod 65,535, plus one. Changing this breaks every trained model.
        Assert.Equal(PinnedId("brand:acme"), AttributeTokens.Id("brand:acme"));
        Assert.Equal(20_358, AttributeTokens.Id("brand:acme"));
    }

    [Fact]
    public void Ids_are_stable_distinct_and_within_the_buckets()
    {
        var item = TestItems.Make();
        var first = AttributeTokens.For(item);
        var again = AttributeTokens.For(TestItems.Make(brand: "ACME", attributes: new Dictionary<string, string> { ["finish "] = "matte", ["colour"] = " RED" }));

        Assert.Equal(first, again);
        Assert.Equal(6, first.Length);
        Assert.All(first, id => Assert.InRange(id, 1, AttributeTokens.Buckets - 1));
        Assert.Equal(first.Length, first.Distinct().Count());
    }

    [Theory]
    [InlineData(null, -1)]
    [InlineData(double.NaN, -1)]
    [InlineData(-5.0, 0)]
    [InlineData(0.0, 0)]
    [InlineData(0.41, 0)]     // log2(1.41) * 2 = 0.99
    [InlineData(0.4143, 1)]   // sqrt(2) - 1 rounds up into bucket 1
    [InlineData(1.0, 2)]
    [InlineData(2.99, 3)]
    [InlineData(3.0, 4)]
    [InlineData(46_340.0, 31)]
    [InlineData(65_535.0, 31)] // would be 32: clamped to the last bucket
    [InlineData(1e12, 31)]
    public void Price_buckets_at_their_boundaries(double? price, int bucket)
    {
        Assert.Equal(bucket, PriceBucket.Of(price));
        Assert.Equal(32, PriceBucket.Count);
    }

    private static int PinnedId(string token)
    {
        // An independent byte-by-byte FNV-1a so the pin does not just restate the implementation.
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(token)) hash = (hash ^ b) * 1099511628211UL;
        return 1 + (int)(hash % 65_535);
    }
}

using Urm.Core.Catalog;

namespace Urm.Core.Tests.Catalog;

public class ContentHashTests
{
    private static readonly CatalogItem Item = new(
        "sku-1", "Red running shoe", "Light and soft.", "Shoes>Running", "Acme", 12.5,
        new Dictionary<string, string> { ["color"] = "red", ["size"] = "42" }, "img/sku-1.jpg", true);

    [Fact]
    public void The_hash_is_lower_case_hex_sha256()
    {
        var hash = ContentHash.Compute(Item);

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, ContentHash.Compute(Item with { }));
    }

    [Fact]
    public async Task Json_field_order_and_attribute_order_do_not_change_the_hash()
    {
        var (items, _) = await CatalogRead.JsonLinesAsync(
            """{"id":"a","title":"T","price":3,"attributes":{"x":"1","y":"2"},"brand":"B"}""",
            """{"brand":"B","attributes":{"y":"2","x":"1"},"price":3.0,"title":"T","id":"b"}""");

        Assert.Equal(ContentHash.Compute(items[0] with { Id = "b" }), ContentHash.Compute(items[1]));
    }

    [Fact]
    public void Insignificant_whitespace_does_not_change_the_hash()
    {
        var spaced = Item with
        {
            Title = "  Red   running\tshoe ",
            Description = "Light and\n\nsoft.",
            Category = " Shoes  >  Running ",
            Brand = " Acme",
            Attributes = new Dictionary<string, string> { [" size "] = "42", ["color"] = " red " },
        };

        Assert.Equal(ContentHash.Compute(Item), ContentHash.Compute(spaced));
    }

    [Fact]
    public void Availability_is_not_part_of_the_hash() =>
        Assert.Equal(ContentHash.Compute(Item), ContentHash.Compute(Item with { Available = false }));

    public static TheoryData<string, CatalogItem> Changes => new()
    {
        { "id", Item with { Id = "sku-2" } },
        { "title", Item with { Title = "Red running shoes" } },
        { "description", Item with { Description = "Light." } },
        { "description absent", Item with { Description = null } },
        { "category", Item with { Category = "Shoes>Trail" } },
        { "category depth", Item with { Category = "Shoes Running" } },
        { "brand", Item with { Brand = "Acme Co" } },
        { "price", Item with { Price = 12.51 } },
        { "price absent", Item with { Price = null } },
        { "attribute value", Item with { Attributes = new Dictionary<string, string> { ["color"] = "blue", ["size"] = "42" } } },
        { "attribute key", Item with { Attributes = new Dictionary<string, string> { ["colour"] = "red", ["size"] = "42" } } },
        { "attribute removed", Item with { Attributes = new Dictionary<string, string> { ["color"] = "red" } } },
        { "attribute boundary", Item with { Attributes = new Dictionary<string, string> { ["color"] = "red42", ["size"] = "" } } },
        { "image", Item with { Image = "img/sku-1b.jpg" } },
        { "image absent", Item with { Image = null } },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Changing_an_encoded_field_changes_the_hash(string field, CatalogItem changed)
    {
        Assert.NotNull(field);
        Assert.NotEqual(ContentHash.Compute(Item), ContentHash.Compute(changed));
    }

    [Fact]
    public void Text_moved_between_fields_changes_the_hash() =>
        Assert.NotEqual(
            ContentHash.Compute(Item with { Title = "Red", Description = "shoe" }),
            ContentHash.Compute(Item with { Title = "Red shoe", Description = null }));
}

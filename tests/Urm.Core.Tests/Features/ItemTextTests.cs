using Urm.Core.Features.Text;

namespace Urm.Core.Tests.Features;

public class ItemTextTests
{
    [Fact]
    public void Text_runs_title_brand_category_attributes_description()
    {
        var text = ItemText.Build(TestItems.Make());

        Assert.Equal(
            "Velvet matte lipstick. Brand: Acme. Category: Beauty > Makeup > Lips. Colour: Red; finish: Matte. A long lasting lipstick.",
            text);
    }

    [Fact]
    public void Missing_parts_leave_no_empty_separators()
    {
        var text = ItemText.Build(TestItems.Make(description: null, category: null, brand: " ", attributes: new Dictionary<string, string>()));

        Assert.Equal("Velvet matte lipstick", text);
    }

    [Fact]
    public void A_huge_description_is_capped_well_above_the_token_window()
    {
        var text = ItemText.Build(TestItems.Make(description: new string('x', 100_000)));

        Assert.Equal(ItemText.MaxChars, text.Length);
        Assert.StartsWith("Velvet matte lipstick. Brand: Acme", text);
    }

    [Fact]
    public void Flag_attributes_read_as_their_name_and_anonymous_ids_are_left_out()
    {
        var attributes = new Dictionary<string, string> { ["attr:399"] = "yes", ["genre:Comedy"] = "yes", ["attr:2"] = "true", ["size"] = "XL" };

        var text = ItemText.Build(TestItems.Make(description: null, category: null, brand: null, attributes: attributes));

        Assert.Equal("Velvet matte lipstick. Comedy; size: XL", text);
    }

    [Fact]
    public void Only_anonymous_attributes_leave_no_empty_part()
    {
        var text = ItemText.Build(TestItems.Make(description: null, category: null, brand: null,
            attributes: new Dictionary<string, string> { ["attr:5"] = "yes" }));

        Assert.Equal("Velvet matte lipstick", text);
    }
}

using Urm.Core.Features;

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
}

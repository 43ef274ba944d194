using SixLabors.ImageSharp.PixelFormats;
using Urm.Offline.Samples;

namespace Urm.Offline.Tests.Samples;

public class SampleCatalogTests
{
    [Fact]
    public void The_same_seed_gives_the_same_shop()
    {
        var first = SampleCatalog.Generate(50, seed: 3).ToList();
        var second = SampleCatalog.Generate(50, seed: 3).ToList();

        Assert.Equal(first.Select(i => (i.Id, i.Title, i.Price)), second.Select(i => (i.Id, i.Title, i.Price)));
        Assert.Equal(50, first.Select(i => i.Id).Distinct().Count());
        Assert.All(first, i => Assert.Contains(i.Attributes["color"], i.Title));
    }

    [Fact]
    public void The_picture_shows_the_item_colour()
    {
        var item = SampleCatalog.Generate(20).First(i => i.Attributes["color"] == "red" || i.Attributes["color"] == "blue");
        using var image = SampleImages.Draw(item, size: 64);

        var expected = item.Attributes["color"] == "red" ? new Rgba32(220, 30, 40) : new Rgba32(30, 70, 200);
        // Every shape crosses the middle row (the ring and the striped ones leave the centre itself out).
        var row = Enumerable.Range(0, 64).Select(x => image[x, 32]).ToList();
        Assert.Contains(expected, row);
    }
}

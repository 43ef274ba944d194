using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Urm.Core.Tests.Features;

/// <summary>Pictures drawn pixel by pixel, so the tests need no image files.</summary>
internal static class TestPictures
{
    /// <summary>A red disc on a white-to-grey gradient.</summary>
    public static Image<Rgb24> RedDisc(int width = 320, int height = 240)
    {
        var image = new Image<Rgb24>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var dx = x - width / 2.0;
                    var dy = y - height / 2.0;
                    var shade = (byte)(255 - 80 * x / width);
                    row[x] = dx * dx + dy * dy < 80 * 80 ? new Rgb24(220, 20, 30) : new Rgb24(shade, shade, shade);
                }
            }
        });
        return image;
    }

    /// <summary>Blue and yellow diagonal stripes.</summary>
    public static Image<Rgb24> Stripes(int width = 300, int height = 300)
    {
        var image = new Image<Rgb24>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                    row[x] = (x + y) / 12 % 2 == 0 ? new Rgb24(20, 40, 200) : new Rgb24(250, 220, 30);
            }
        });
        return image;
    }
}

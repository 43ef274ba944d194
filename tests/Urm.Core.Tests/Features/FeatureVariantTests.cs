using Urm.Core.Features;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;

namespace Urm.Core.Tests.Features;

public class FeatureVariantTests
{
    [Theory]
    [InlineData(TextPrecision.Fp32, ImagePrecision.Fp32, null)]
    [InlineData(TextPrecision.Int8, ImagePrecision.Fp32, "int8")]
    [InlineData(TextPrecision.Fp32, ImagePrecision.Int8, "images-int8")]
    [InlineData(TextPrecision.Int8, ImagePrecision.Int8, "int8-images-int8")]
    public void Each_mix_of_precisions_has_a_cache_of_its_own_and_fp32_keeps_the_plain_names(TextPrecision text, ImagePrecision images, string? variant)
    {
        var folder = Path.Combine("data", "features");

        Assert.Equal(variant, FeatureVariant.Name(text, images));
        Assert.Equal(variant is null ? folder : folder + "-" + variant, FeatureVariant.Folder(folder, text, images));
        if (variant is not null) Assert.Equal(folder + "-" + variant, FeatureVariant.Folder(folder + Path.DirectorySeparatorChar, text, images));
    }
}

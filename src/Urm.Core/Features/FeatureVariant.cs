using Urm.Core.Features.Images;
using Urm.Core.Features.Text;

namespace Urm.Core.Features;

/// <summary>
/// What keeps raw features made with int8 encoders apart from fp32 ones, whose caches are keyed by content alone:
/// a change of precision re-encodes instead of mixing the two in one card set.
/// </summary>
public static class FeatureVariant
{
    /// <summary>Null for fp32 text and images (the plain names); otherwise "int8" for int8 text, "images-int8" for int8
    /// images, "int8-images-int8" for both (a folder's "-&lt;variant&gt;", blobs' v1-&lt;variant&gt;/).</summary>
    public static string? Name(TextPrecision text, ImagePrecision images = ImagePrecision.Fp32)
    {
        var parts = new List<string>(2);
        if (text != TextPrecision.Fp32) parts.Add(TextEncoderOptions.PrecisionName(text));
        if (images != ImagePrecision.Fp32) parts.Add("images-" + ImageEncoderOptions.PrecisionName(images));
        return parts.Count == 0 ? null : string.Join('-', parts);
    }

    /// <summary>The feature cache folder: <paramref name="fp32Folder"/> itself for fp32 text and images, with "-&lt;variant&gt;" appended otherwise.</summary>
    public static string Folder(string fp32Folder, TextPrecision text, ImagePrecision images = ImagePrecision.Fp32)
        => Name(text, images) is { } variant ? fp32Folder.TrimEnd(Path.DirectorySeparatorChar) + "-" + variant : fp32Folder;
}

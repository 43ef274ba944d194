using System.CommandLine;
using Urm.Core.Features.Images;

namespace Urm.Cli.Commands;

/// <summary>`--image-precision fp32|int8`: ResNet18's arithmetic for the commands that encode images.</summary>
public static class ImagePrecisionOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--image-precision")
        {
            Description = "ResNet18's arithmetic: fp32 (as shipped) or int8 (convolutions quantised at load with calibrated ranges: about 2.2x faster on a CPU with AVX-512 VNNI, vectors at a mean cosine ~0.996 to fp32; docs/BENCHMARKS.md).",
            DefaultValueFactory = _ => ImageEncoderOptions.PrecisionName(ImagePrecision.Fp32),
        };
        option.AcceptOnlyFromAmong([.. Enum.GetValues<ImagePrecision>().Select(ImageEncoderOptions.PrecisionName)]);
        return option;
    }

    public static ImagePrecision Read(ParseResult parse, Option<string> option)
    {
        ImageEncoderOptions.TryParsePrecision(parse.GetValue(option), out var precision);   // AcceptOnlyFromAmong has checked the spelling
        return precision;
    }
}

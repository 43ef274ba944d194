using System.CommandLine;
using Urm.Core.Features;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;

namespace Urm.Cli.Commands;

/// <summary>An encoder's arithmetic as a command-line option: its spellings only, fp32 (the first) by default.</summary>
public static class PrecisionOption
{
    public static Option<string> Create<T>(string name, string description) where T : struct, Enum
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => PrecisionNames.Name(Enum.GetValues<T>()[0]) };
        option.AcceptOnlyFromAmong([.. Enum.GetValues<T>().Select(PrecisionNames.Name)]);
        return option;
    }

    public static T Read<T>(ParseResult parse, Option<string> option) where T : struct, Enum
    {
        PrecisionNames.TryParse(parse.GetValue(option), out T precision);   // AcceptOnlyFromAmong has checked the spelling
        return precision;
    }
}

/// <summary>`--text-precision fp32|int8`: MiniLM's arithmetic for the commands that encode texts.</summary>
public static class TextPrecisionOption
{
    public static Option<string> Create() => PrecisionOption.Create<TextPrecision>("--text-precision",
        "MiniLM's arithmetic: fp32 (as shipped) or int8 (weight products quantised at load: faster, vectors within cosine ~0.995 of fp32; docs/BENCHMARKS.md).");

    public static TextPrecision Read(ParseResult parse, Option<string> option) => PrecisionOption.Read<TextPrecision>(parse, option);
}

/// <summary>`--image-precision fp32|int8`: ResNet18's arithmetic for the commands that encode images.</summary>
public static class ImagePrecisionOption
{
    public static Option<string> Create() => PrecisionOption.Create<ImagePrecision>("--image-precision",
        "ResNet18's arithmetic: fp32 (as shipped) or int8 (convolutions quantised at load with calibrated ranges: about 2.2x faster on a CPU with AVX-512 VNNI, vectors at a mean cosine ~0.996 to fp32; docs/BENCHMARKS.md).");

    public static ImagePrecision Read(ParseResult parse, Option<string> option) => PrecisionOption.Read<ImagePrecision>(parse, option);
}

using System.CommandLine;
using Urm.Core.Features.Text;

namespace Urm.Cli.Commands;

/// <summary>`--text-precision fp32|int8`: MiniLM's arithmetic for the commands that encode texts.</summary>
public static class TextPrecisionOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--text-precision")
        {
            Description = "MiniLM's arithmetic: fp32 (as shipped) or int8 (weight products quantised at load: faster, vectors within cosine ~0.995 of fp32; docs/BENCHMARKS.md).",
            DefaultValueFactory = _ => TextEncoderOptions.PrecisionName(TextPrecision.Fp32),
        };
        option.AcceptOnlyFromAmong([.. Enum.GetValues<TextPrecision>().Select(TextEncoderOptions.PrecisionName)]);
        return option;
    }

    public static TextPrecision Read(ParseResult parse, Option<string> option)
    {
        TextEncoderOptions.TryParsePrecision(parse.GetValue(option), out var precision);   // AcceptOnlyFromAmong has checked the spelling
        return precision;
    }
}

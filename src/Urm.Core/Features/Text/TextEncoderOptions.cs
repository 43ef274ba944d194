namespace Urm.Core.Features.Text;

/// <summary>How the MiniLM text encoder tokenises and runs.</summary>
/// <param name="MaxTokens">Token window including [CLS] and [SEP]; all-MiniLM-L6-v2 was trained with 256.</param>
/// <param name="LengthSortedRun">Texts per model run within one <see cref="TextEncoder.Encode(IReadOnlyList{string})"/>
/// call, taken in order of token count so that a run pads only to its own longest text (the answers come
/// back in the caller's order); 0 runs the whole call as one batch padded to its longest text.</param>
/// <param name="Precision">fp32 as shipped, or int8 weight products quantised at load. The two give slightly
/// different vectors: cards and cached features made with one are not exactly those of the other.</param>
public sealed record TextEncoderOptions(int MaxTokens = 256, EncoderSessionOptions? Session = null, int LengthSortedRun = 16, TextPrecision Precision = TextPrecision.Fp32)
{
    /// <summary>Weight bits of <see cref="TextPrecision.Int8"/>; see docs/BENCHMARKS.md ("int8 MiniLM and batched images") for why.</summary>
    public const int Int8WeightBits = 7;

    public static TextEncoderOptions Default { get; } = new();

    /// <summary>The spellings settings and command lines use: <c>fp32</c>, <c>int8</c>.</summary>
    public static string PrecisionName(TextPrecision precision) => PrecisionNames.Name(precision);

    /// <summary>Reads <c>fp32</c> or <c>int8</c> (any case, surrounding space ignored).</summary>
    public static bool TryParsePrecision(string? value, out TextPrecision precision) => PrecisionNames.TryParse(value, out precision);

    internal EncoderSessionOptions SessionOrDefault => Session ?? EncoderSessionOptions.Default;
}

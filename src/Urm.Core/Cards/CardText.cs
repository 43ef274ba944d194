namespace Urm.Core.Cards;

/// <summary>
/// int8 form of an item's text vector (MiniLM, unit length): value_i = round(127 * t_i), clamped to [-127, 127].
/// </summary>
/// <remarks>
/// One fixed scale rather than one per vector: a unit vector's values lie in [-1, 1], so 127 costs at most
/// 1/254 per value, and serving can take the cosine of a query with any card without a per-card factor.
/// -128 is never used, so the codes are symmetric around 0. Halves round to even, as numpy and PyTorch
/// round, so Python reproducing a card's codes gets the same bytes.
/// </remarks>
public static class CardText
{
    public const float Scale = 127f;

    /// <summary>The int8 codes of <paramref name="text"/> (any length).</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public static sbyte[] Quantize(ReadOnlySpan<float> text)
    {
        var code = new sbyte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var t = text[i];
            // A NaN would cast to an arbitrary code and silently skew every cosine with this item.
            if (!float.IsFinite(t))
                throw new ArgumentException(
                    $"The text vector's value {i} is {t}, not a finite number; the item's text features are broken, so encode them again.", nameof(text));
            code[i] = (sbyte)Math.Clamp(MathF.Round(t * Scale, MidpointRounding.ToEven), -Scale, Scale);
        }
        return code;
    }

    /// <summary>Writes code[i] / <see cref="Scale"/> into <paramref name="into"/>, which must be as long as <paramref name="code"/>.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void Dequantize(ReadOnlySpan<sbyte> code, Span<float> into)
    {
        if (code.Length != into.Length)
            throw new ArgumentException($"The text code has {code.Length} values but the target has room for {into.Length}; pass a target of the code's length.", nameof(into));
        for (var i = 0; i < code.Length; i++) into[i] = code[i] / Scale;
    }
}

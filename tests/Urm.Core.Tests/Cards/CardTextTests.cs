using Urm.Core.Cards;

namespace Urm.Core.Tests.Cards;

public sealed class CardTextTests
{
    [Fact]
    public void A_unit_vector_comes_back_within_half_a_step_per_value()
    {
        var random = new Random(7);
        var text = Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var norm = MathF.Sqrt(text.Sum(t => t * t));
        for (var i = 0; i < text.Length; i++) text[i] /= norm;
        text[0] = 1f;   // the extremes a unit vector can reach map onto the ends of the code range
        text[1] = -1f;

        var code = CardText.Quantize(text);
        var back = new float[code.Length];
        CardText.Dequantize(code, back);

        Assert.Equal(384, code.Length);
        Assert.Equal((127, -127), ((int)code[0], (int)code[1]));
        for (var i = 0; i < text.Length; i++)
            Assert.True(MathF.Abs(back[i] - text[i]) <= 1f / 254 + 1e-7f, $"value {i}: {text[i]} came back as {back[i]}");
    }

    [Fact]
    public void A_zero_vector_is_all_zero_codes_and_back()
    {
        var code = CardText.Quantize(new float[384]);
        var back = Enumerable.Repeat(1f, 384).ToArray();
        CardText.Dequantize(code, back);

        Assert.All(code, c => Assert.Equal(0, c));
        Assert.All(back, b => Assert.Equal(0f, b));
    }

    [Fact]
    public void Values_past_one_clamp_to_127_either_way_never_minus_128()
    {
        Assert.Equal([127, -127, 64], CardText.Quantize([1.5f, -3f, 0.5f]).Select(c => (int)c));   // 63.5 rounds to even
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void A_non_finite_value_is_refused_naming_its_position(float bad)
    {
        var error = Assert.Throws<ArgumentException>(() => CardText.Quantize([0.1f, bad, 0.2f]));

        Assert.Equal("text", error.ParamName);
        Assert.Contains("value 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dequantizing_into_a_span_of_another_length_is_refused()
    {
        Assert.Throws<ArgumentException>(() => CardText.Dequantize(new sbyte[4], new float[3]));
    }
}

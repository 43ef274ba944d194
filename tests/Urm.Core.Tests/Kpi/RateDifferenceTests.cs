using Urm.Core.Kpi;

namespace Urm.Core.Tests.Kpi;

/// <summary>The Wilson interval and Newcombe's hybrid score interval for a difference, against figures worked by hand and published ones.</summary>
public sealed class RateDifferenceTests
{
    private const double Tolerance = 5e-5;

    [Fact]
    public void Wilson_interval_of_9_in_10_worked_by_hand()
    {
        // z² = 3.84146; 1 + z²/n = 1.384146; centre = (0.9 + 0.192073) / 1.384146 = 0.788987;
        // half = 1.959964 / 1.384146 · sqrt(0.009 + 0.0096037) = 1.416009 · 0.136395 = 0.193137.
        var (low, high) = RateDifference.Wilson(9, 10);
        Assert.Equal(0.595850, low, Tolerance);
        Assert.Equal(0.982123, high, Tolerance);
    }

    [Fact]
    public void Wilson_interval_at_zero_starts_at_zero_and_is_not_empty()
    {
        // centre = half = 0.192073 / 1.384146 = 0.138766: [0, 0.277533].
        var (low, high) = RateDifference.Wilson(0, 10);
        Assert.Equal(0, low);
        Assert.Equal(0.277533, high, Tolerance);
    }

    [Fact]
    public void Newcombe_difference_of_9_in_10_and_3_in_10_worked_by_hand()
    {
        // Wilson: 9/10 -> (0.595850, 0.982124); 3/10 -> (0.107791, 0.603222).
        // low  = 0.6 - sqrt((0.9 - 0.595849)² + (0.603222 - 0.3)²) = 0.6 - sqrt(0.092508 + 0.091944) = 0.170518
        // high = 0.6 + sqrt((0.982123 - 0.9)² + (0.3 - 0.107789)²) = 0.6 + sqrt(0.006744 + 0.036945) = 0.809019
        var d = RateDifference.Newcombe(9, 10, 3, 10);
        Assert.Equal(0.6, d.Difference, 1e-12);
        Assert.Equal(0.1705, d.Low, 1e-4);
        Assert.Equal(0.8090, d.High, 1e-4);
    }

    [Theory]
    // Newcombe (1998), Table II, method 10: the published limits to 4 decimals.
    [InlineData(5, 56, 0, 29, -0.0381, 0.1926)]
    [InlineData(0, 10, 0, 20, -0.1611, 0.2775)]
    [InlineData(10, 10, 0, 20, 0.6791, 1.0000)]
    public void Newcombe_matches_the_published_examples(int x1, int n1, int x2, int n2, double low, double high)
    {
        var d = RateDifference.Newcombe(x1, n1, x2, n2);
        Assert.Equal(low, d.Low, 6e-5);
        Assert.Equal(high, d.High, 6e-5);
    }

    [Fact]
    public void Swapping_the_rates_mirrors_the_interval()
    {
        var ab = RateDifference.Newcombe(40, 500, 55, 510);
        var ba = RateDifference.Newcombe(55, 510, 40, 500);
        Assert.Equal(-ab.Difference, ba.Difference, 1e-12);
        Assert.Equal(-ab.Low, ba.High, 1e-12);
        Assert.Equal(-ab.High, ba.Low, 1e-12);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(-1, 10)]
    [InlineData(11, 10)]
    public void Counts_that_are_no_rate_are_refused(int x, int n)
        => Assert.Throws<ArgumentOutOfRangeException>(() => RateDifference.Newcombe(x, n, 1, 10));
}

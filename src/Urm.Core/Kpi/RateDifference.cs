namespace Urm.Core.Kpi;

/// <summary>
/// The difference of two rates, p1 - p2 with p = x / n, and its confidence interval by Newcombe's hybrid
/// score method (Newcombe 1998, "Interval estimation for the difference between independent proportions",
/// Statistics in Medicine 17:873-890, method 10): each rate's Wilson score interval (l, u), then
/// <c>low = d - sqrt((p1 - l1)² + (u2 - p2)²)</c> and <c>high = d + sqrt((u1 - p1)² + (p2 - l2)²)</c>.
/// Chosen over the normal approximation (d ± z sqrt(p1 q1 / n1 + p2 q2 / n2)) because click-through rates
/// are small: near 0 the normal interval is too narrow, and with no click in an arm it collapses to a point.
/// </summary>
public sealed record RateDifference(double Difference, double Low, double High)
{
    /// <summary>The standard normal quantile of 97.5 %: a two-sided 95 % interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>x1 / n1 - x2 / n2 with its interval at <paramref name="z"/> (95 % by default).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, n is 0, or x exceeds n.</exception>
    public static RateDifference Newcombe(int x1, int n1, int x2, int n2, double z = Z95)
    {
        var (p1, p2) = (Rate(x1, n1), Rate(x2, n2));
        var (l1, u1) = Wilson(x1, n1, z);
        var (l2, u2) = Wilson(x2, n2, z);
        var d = p1 - p2;
        return new RateDifference(d, d - Math.Sqrt(Square(p1 - l1) + Square(u2 - p2)), d + Math.Sqrt(Square(u1 - p1) + Square(p2 - l2)));
    }

    /// <summary>
    /// The Wilson score interval of x / n: centre (p + z²/2n) / (1 + z²/n), half-width
    /// z / (1 + z²/n) · sqrt(p(1 - p)/n + z²/4n²). It stays within [0, 1] and is not empty at p = 0 or 1.
    /// </summary>
    public static (double Low, double High) Wilson(int x, int n, double z = Z95)
    {
        var p = Rate(x, n);
        var z2 = z * z;
        var denominator = 1 + z2 / n;
        var centre = (p + z2 / (2.0 * n)) / denominator;
        var half = z / denominator * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    private static double Rate(int x, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(x, n);
        return (double)x / n;
    }

    private static double Square(double v) => v * v;
}

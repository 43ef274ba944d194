namespace Urm.Core.Features.Attributes;

/// <summary>
/// Log-scale price buckets: half an octave each, so 10 and 12 share a bucket while 10 and 100 do
/// not, whatever the currency's magnitude.
/// </summary>
public static class PriceBucket
{
    /// <summary>Buckets lie in [0, Count); -1 means no price.</summary>
    public const int Count = 32;

    public const int None = -1;

    public static int Of(double? price)
    {
        if (price is not { } p || double.IsNaN(p) || double.IsInfinity(p)) return None;
        if (p <= 0) return 0;
        var bucket = Math.Floor(Math.Log2(1 + p) * 2);
        return (int)Math.Clamp(bucket, 0, Count - 1);
    }
}

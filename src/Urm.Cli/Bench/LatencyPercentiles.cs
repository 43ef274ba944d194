namespace Urm.Cli.Bench;

/// <summary>Nearest-rank percentiles of a run's latencies (ms); NaN when there are none.</summary>
public sealed class LatencyPercentiles(IEnumerable<double> latenciesMs)
{
    private readonly double[] _sorted = latenciesMs.Order().ToArray();

    public double At(double p)
        => _sorted.Length == 0 ? double.NaN : _sorted[Math.Min(_sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p / 100 * _sorted.Length) - 1))];
}

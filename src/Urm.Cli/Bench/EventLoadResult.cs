namespace Urm.Cli.Bench;

/// <summary>
/// The events half of a load run: every POST /api/events batch's latency (ms) and status (transport failures
/// count as 0), the events' outcomes as the server answered them, and the accepted events themselves, to be
/// read back afterwards.
/// </summary>
/// <param name="Posted">Events sent, in every batch whatever its answer.</param>
/// <param name="NamingRecommendation">Of those, the events that carried a recommendationId.</param>
public sealed record EventLoadResult(
    int Batches, int Posted, int NamingRecommendation, int Accepted, int Duplicates, int Rejected,
    double[] LatenciesMs, IReadOnlyDictionary<int, int> StatusCounts, IReadOnlyList<LoadEvent> AcceptedEvents)
{
    private readonly LatencyPercentiles _percentiles = new(LatenciesMs);

    /// <summary>Batches not answered with 200.</summary>
    public int Errors => StatusCounts.Where(s => s.Key != 200).Sum(s => s.Value);

    public double Percentile(double p) => _percentiles.At(p);
}

namespace Urm.Azure.Cosmos;

/// <summary>What the store's requests cost and how often the server pushed back, over one run or the store's life.</summary>
/// <param name="RequestCharge">Request units charged, failed requests included.</param>
/// <param name="Throttled">Retries after 429 (too many requests).</param>
/// <param name="RetryWith">Retries after 449 (retry with: a concurrent write conflict inside the service).</param>
/// <param name="Unavailable">Retries after 503 (service unavailable) or 408 (request timeout).</param>
/// <param name="VersionConflicts">Catalog version updates that lost an ETag race (412) and were redone.</param>
public sealed record CosmosRequestTotals(double RequestCharge, int Throttled, int RetryWith, int Unavailable, int VersionConflicts)
{
    public static CosmosRequestTotals Zero { get; } = new(0, 0, 0, 0, 0);

    public int Retries => Throttled + RetryWith + Unavailable;

    public CosmosRequestTotals Add(CosmosRequestTotals other) => new(
        RequestCharge + other.RequestCharge, Throttled + other.Throttled, RetryWith + other.RetryWith,
        Unavailable + other.Unavailable, VersionConflicts + other.VersionConflicts);
}

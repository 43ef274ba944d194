namespace Urm.Core.Kpi;

/// <summary>
/// Every served recommendation (<see cref="RecommendationRecord"/>), for attribution and KPIs: a table in
/// `urm serve`'s SQLite file, a Cosmos DB container partitioned by the recommendation id in Azure.
/// </summary>
public interface IRecommendationLog
{
    /// <summary>Stores the record; a second record with the same id is ignored (the first stays).</summary>
    Task RecordAsync(RecommendationRecord record, CancellationToken cancellationToken);

    /// <summary>Every record whose time is in [<paramref name="from"/>, <paramref name="to"/>), in no set order.</summary>
    IAsyncEnumerable<RecommendationRecord> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

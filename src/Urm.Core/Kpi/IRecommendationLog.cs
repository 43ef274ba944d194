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

    /// <summary>
    /// Takes a user out of the log (an erasure request): every record whose user is <paramref name="userId"/>
    /// or whose session is one of <paramref name="sessionIds"/> loses its user and session id. The record
    /// itself stays, naming no one, so the KPIs still count it as served. Safe to repeat; answers how many
    /// records were changed.
    /// </summary>
    Task<int> EraseShopperAsync(string userId, IReadOnlySet<string> sessionIds, CancellationToken cancellationToken);
}

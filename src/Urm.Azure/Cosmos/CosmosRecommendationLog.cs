using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Azure.Cosmos;
using Urm.Core.Kpi;
using Urm.Core.Profiles;

namespace Urm.Azure.Cosmos;

/// <summary>
/// The recommendation log in a Cosmos DB for NoSQL container: one document per answer
/// (<see cref="RecommendationItem"/>), created once (a repeated id is a 409, ignored).
/// </summary>
/// <remarks>
/// Partition key <c>/pk</c> = the answer's UTC day and one of 16 buckets by its id (<c>2026-05-01|b07</c>),
/// not the id alone: a KPI report reads a time range, and with one partition per id that is a
/// cross-partition query, which needs a query plan (neither bulk-free nor served by the stand-in the tests
/// run on); by day it is 16 single-partition queries per day of the range, and 16 buckets spread a day's
/// writes over as many logical partitions. With <see cref="CosmosRecommendationLogOptions.Ttl"/> each
/// document gets a <c>ttl</c> (the container has TTL on, no default, bicep/modules/cosmos.bicep).
/// A record that names a user or a session is preceded by a mark per shopper (<see cref="ShopperMarkItem"/>)
/// in the shopper's own partition, so an erasure reads those partitions, not every day of the retention
/// (which with records kept for good has no end); one more small write per answer that names a shopper.
/// </remarks>
public sealed class CosmosRecommendationLog : IRecommendationLog, IDisposable
{
    public const int BucketCount = 16;

    private readonly CosmosClient _client;
    private readonly bool _ownsClient;
    private readonly Container _container;
    private readonly CosmosCardStoreOptions _account;
    private readonly string _containerName;
    private readonly int? _ttlSeconds;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _checkGate = new(1, 1);
    private volatile bool _checked;

    /// <param name="client">A client made by <see cref="CosmosCardStore.CreateClient"/> (its serializer reads these documents).</param>
    /// <param name="account">The card store's account settings: database, retries.</param>
    public CosmosRecommendationLog(CosmosClient client, CosmosCardStoreOptions account, CosmosRecommendationLogOptions options, TimeProvider? time = null, bool ownsClient = false)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _account = account ?? throw new ArgumentNullException(nameof(account));
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Container))
            throw new ArgumentException("Recommendations__Container is empty; set it to the recommendation log's container (partition key /pk, e.g. 'recommendations').", nameof(options));
        if (options.Ttl < TimeSpan.Zero || options.Ttl > TimeSpan.FromDays(3650))
            throw new ArgumentException($"Recommendations__Ttl is {options.Ttl}; set 00:00:00 (keep records) or up to 3650.00:00:00 (default 90.00:00:00).", nameof(options));
        _containerName = options.Container;
        _container = client.GetContainer(account.Database, options.Container);
        _ttlSeconds = options.Ttl == TimeSpan.Zero ? null : (int)Math.Ceiling(options.Ttl.TotalSeconds);
        _time = time ?? TimeProvider.System;
        _ownsClient = ownsClient;
    }

    /// <summary>The partition of a record: its UTC day and the bucket of its id (FNV-1a of the UTF-8 id, mod 16).</summary>
    public static string PartitionOf(string id, DateTimeOffset time) => Partition(DateOnly.FromDateTime(time.UtcDateTime), Bucket(id));

    public async Task RecordAsync(RecommendationRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var time = record.Time.ToUniversalTime();
        var item = new RecommendationItem(record.Id, PartitionOf(record.Id, time), time, time.UtcTicks, record.ModelVersion, record.Task,
            record.UserId, record.SessionId, record.K, record.Items, record.Arm, _ttlSeconds);
        var run = NewRun();
        // The marks first: a failure between them and the record leaves a mark without a record (an erasure
        // skips it), never a record that names a shopper no erasure can find.
        foreach (var shopper in Shoppers(record.UserId, record.SessionId))
            await CreateOnceAsync(run, "create of a shopper's mark", new ShopperMarkItem(record.Id, ShopperMarkItem.PartitionOf(shopper), item.Pk, _ttlSeconds),
                ShopperMarkItem.PartitionOf(shopper), cancellationToken).ConfigureAwait(false);
        await CreateOnceAsync(run, "create of a recommendation record", item, item.Pk, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> EraseShopperAsync(string userId, IReadOnlySet<string> sessionIds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentNullException.ThrowIfNull(sessionIds);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var run = NewRun();
        var erased = 0;
        foreach (var shopper in sessionIds.Select(ProfileKey.Session).Prepend(ProfileKey.User(userId)))
        {
            var partition = ShopperMarkItem.PartitionOf(shopper);
            var marks = new List<ShopperMarkItem>();
            var query = new QueryDefinition("SELECT * FROM c WHERE c.pk = @pk").WithParameter("@pk", partition);
            await foreach (var mark in CosmosPartitionQuery.ReadAsync<ShopperMarkItem>(run, _container, query, partition, cancellationToken, "query of a shopper's marks").ConfigureAwait(false))
                marks.Add(mark);
            await Parallel.ForEachAsync(marks, new ParallelOptions { MaxDegreeOfParallelism = _account.WriteConcurrency, CancellationToken = cancellationToken }, async (mark, token) =>
            {
                if (await AnonymiseAsync(run, mark, userId, sessionIds, token).ConfigureAwait(false)) Interlocked.Increment(ref erased);
                // The mark goes only once its record names no one: a failure before leaves it for a repeat.
                await DeleteAsync(run, mark.Id, mark.Pk, token).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        return erased;
    }

    public async IAsyncEnumerable<RecommendationRecord> ReadAsync(DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (from >= to) yield break;
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var run = NewRun();
        var last = DateOnly.FromDateTime(to.UtcDateTime.AddTicks(-1));
        for (var day = DateOnly.FromDateTime(from.UtcDateTime); day <= last; day = day.AddDays(1))
            for (var bucket = 0; bucket < BucketCount; bucket++)
            {
                // The partition is in the query as well as in the request options: the stand-in honours only the query's.
                var partition = Partition(day, bucket);
                var query = new QueryDefinition("SELECT * FROM c WHERE c.pk = @pk AND c.ticks >= @from AND c.ticks < @to")
                    .WithParameter("@pk", partition).WithParameter("@from", from.UtcTicks).WithParameter("@to", to.UtcTicks);
                await foreach (var item in CosmosPartitionQuery.ReadAsync<RecommendationItem>(run, _container, query, partition, cancellationToken, "query of the recommendation log").ConfigureAwait(false))
                    yield return new RecommendationRecord(item.Id, item.Time, item.ModelVersion, item.Task, item.UserId, item.SessionId, item.K, item.Items, item.Arm);
            }
    }

    public void Dispose()
    {
        _checkGate.Dispose();
        if (_ownsClient) _client.Dispose();
    }

    private static IEnumerable<ProfileKey> Shoppers(string? userId, string? sessionId)
    {
        if (userId is not null) yield return ProfileKey.User(userId);
        if (sessionId is not null) yield return ProfileKey.Session(sessionId);
    }

    /// <summary>Creates a document unless one with its id is already in the partition (a repeated record: the first stays).</summary>
    private async Task CreateOnceAsync<T>(CosmosRun run, string what, T item, string partition, CancellationToken cancellationToken)
    {
        try
        {
            // Named without ids: the message may reach a log.
            await run.ExecuteAsync(what, ct => _container.CreateItemAsync(item, new PartitionKey(partition), WriteOptions, ct),
                r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
        }
    }

    /// <summary>
    /// Clears the user and session of the record a mark points to when it names the erased shopper; false when
    /// it is gone (expired, or never written after its mark) or names no one erased.
    /// </summary>
    private async Task<bool> AnonymiseAsync(CosmosRun run, ShopperMarkItem mark, string userId, IReadOnlySet<string> sessionIds, CancellationToken cancellationToken)
    {
        RecommendationItem item;
        try
        {
            item = (await run.ExecuteAsync("read of a recommendation record",
                ct => _container.ReadItemAsync<RecommendationItem>(mark.Id, new PartitionKey(mark.Record), cancellationToken: ct), r => r.RequestCharge, cancellationToken).ConfigureAwait(false)).Resource;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        var named = string.Equals(item.UserId, userId, StringComparison.Ordinal) || (item.SessionId is { } session && sessionIds.Contains(session));
        if (!named) return false;
        // A replace restarts Cosmos DB's ttl clock: what is left of the record's time is its new ttl, so it still goes when it would have.
        var ttl = item.Ttl is { } seconds ? Math.Max(1, seconds - (int)Math.Floor((_time.GetUtcNow() - item.Time).TotalSeconds)) : (int?)null;
        var anonymous = item with { UserId = null, SessionId = null, Ttl = ttl };
        await run.ExecuteAsync("replace of a recommendation record",
            ct => _container.ReplaceItemAsync(anonymous, anonymous.Id, new PartitionKey(anonymous.Pk), WriteOptions, ct), r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task DeleteAsync(CosmosRun run, string id, string partition, CancellationToken cancellationToken)
    {
        try
        {
            await run.ExecuteAsync("delete of a shopper's mark",
                ct => _container.DeleteItemAsync<ShopperMarkItem>(id, new PartitionKey(partition), WriteOptions, ct), r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    private static ItemRequestOptions WriteOptions { get; } = new() { EnableContentResponseOnWrite = false };

    private static string Partition(DateOnly day, int bucket)
        => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "|b" + bucket.ToString("00", CultureInfo.InvariantCulture);

    private static int Bucket(string id)
    {
        // FNV-1a, 32 bit: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(id))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return (int)(hash % BucketCount);
    }

    /// <summary>Checks once that the container exists with partition key <c>/pk</c> (the app's identity cannot create it).</summary>
    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_checked) return;
        await _checkGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_checked) return;
            await CosmosContainerCheck.RequireAsync(NewRun(), _client, _container, _account.Database, _containerName, "Recommendations__Container", "recommendation log", cancellationToken).ConfigureAwait(false);
            _checked = true;
        }
        finally
        {
            _checkGate.Release();
        }
    }

    private CosmosRun NewRun() => new(_account, _client.Endpoint.ToString(), _time);
}

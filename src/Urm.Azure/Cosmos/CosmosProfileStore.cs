using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Urm.Core.Events;
using Urm.Core.Profiles;

namespace Urm.Azure.Cosmos;

/// <summary>
/// Profiles in a Cosmos DB for NoSQL container partitioned by profile (<c>/pk</c> = <c>user:&lt;id&gt;</c> or
/// <c>session:&lt;id&gt;</c>): one document per event (<see cref="ProfileEventItem"/>), so every call works in
/// one logical partition with point writes and single-partition queries, no batch, bulk or change feed
/// (the same code runs on the stand-in). A repeated event key is a 409 on create: a duplicate.
/// </summary>
/// <remarks>
/// Capping reads the profile's ids and times after each append and deletes what is beyond
/// <see cref="ProfileOptions.MaxEvents"/>. With <see cref="ProfileOptions.EventTtl"/> each document gets a
/// <c>ttl</c> (the container has TTL on, no default, bicep/modules/cosmos.bicep) and an <c>expires</c> time
/// that reads honour at once, since Cosmos DB deletes expired documents in the background. Merge and
/// delete are point writes one by one: a failure half way leaves a state that the same call, repeated,
/// completes. Every request goes through <see cref="CosmosRun"/> (retries honouring retry-after).
/// </remarks>
public sealed class CosmosProfileStore : IProfileStore, IDisposable
{
    private readonly CosmosClient _client;
    private readonly bool _ownsClient;
    private readonly Container _container;
    private readonly CosmosCardStoreOptions _account;
    private readonly string _containerName;
    private readonly ProfileOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _checkGate = new(1, 1);
    private volatile bool _checked;

    /// <param name="client">A client made by <see cref="CosmosCardStore.CreateClient"/> (its serializer reads these documents).</param>
    /// <param name="account">The card store's account settings: database, retries, write concurrency.</param>
    public CosmosProfileStore(CosmosClient client, CosmosCardStoreOptions account, CosmosProfileStoreOptions container, ProfileOptions? options = null,
        ILogger<CosmosProfileStore>? logger = null, TimeProvider? time = null, bool ownsClient = false)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _account = account ?? throw new ArgumentNullException(nameof(account));
        ArgumentNullException.ThrowIfNull(container);
        if (string.IsNullOrWhiteSpace(container.Container))
            throw new ArgumentException("Profiles__Container is empty; set it to the profiles container (partition key /pk, e.g. 'profiles').", nameof(container));
        _options = options ?? ProfileOptions.Default;
        var problems = _options.Problems().ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        _containerName = container.Container;
        _container = client.GetContainer(account.Database, container.Container);
        _logger = logger ?? NullLogger<CosmosProfileStore>.Instance;
        _time = time ?? TimeProvider.System;
        _ownsClient = ownsClient;
    }

    public async Task<IReadOnlyList<bool>> AppendAsync(ProfileKey key, IReadOnlyList<ProfileEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var run = NewRun();
        var stored = new bool[events.Count];
        // A key repeated within the call is a duplicate of its first; the rest go to the server at once.
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++) first.TryAdd(events[i].EventKey, i);
        var now = _time.GetUtcNow();
        await Parallel.ForEachAsync(first.Values, Bounded(cancellationToken), async (i, token) =>
            stored[i] = await CreateAsync(run, Item(key, events[i], now), now, token).ConfigureAwait(false)).ConfigureAwait(false);
        await TrimAsync(run, key, cancellationToken).ConfigureAwait(false);
        Log(run, "append", stored.Count(s => s));
        return stored;
    }

    public async Task RemoveAsync(ProfileKey key, IReadOnlyList<string> eventKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventKeys);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var run = NewRun();
        await Parallel.ForEachAsync(eventKeys, Bounded(cancellationToken), async (eventKey, token) =>
            await DeleteItemAsync(run, key, ProfileEventItem.IdFor(eventKey), token).ConfigureAwait(false)).ConfigureAwait(false);
        Log(run, "remove", eventKeys.Count);
    }

    public async Task<Profile?> GetAsync(ProfileKey key, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var run = NewRun();
        var now = _time.GetUtcNow().UtcTicks;
        var items = new List<ProfileEventItem>();
        await foreach (var item in QueryAsync<ProfileEventItem>(run, new QueryDefinition("SELECT * FROM c WHERE c.pk = @pk").WithParameter("@pk", key.Value), key, cancellationToken).ConfigureAwait(false))
            if (item.Expires is null || item.Expires > now) items.Add(item);
        Log(run, "read", items.Count);
        if (items.Count == 0) return null;
        return new Profile(key, items.OrderBy(i => i.Ticks).ThenBy(i => i.Received).Select(ToEvent).ToList());
    }

    public async Task<int> MergeAsync(ProfileKey from, ProfileKey into, CancellationToken cancellationToken)
    {
        if (from == into) return 0;
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var run = NewRun();
        var now = _time.GetUtcNow();
        var moving = new List<ProfileEventItem>();
        await foreach (var item in QueryAsync<ProfileEventItem>(run, new QueryDefinition("SELECT * FROM c WHERE c.pk = @pk").WithParameter("@pk", from.Value), from, cancellationToken).ConfigureAwait(false))
            moving.Add(item);
        // Copy first, then delete: a failure in between leaves the events in both, and a repeat finishes the move.
        var live = moving.Where(i => i.Expires is null || i.Expires > now.UtcTicks).ToList();
        await Parallel.ForEachAsync(live, Bounded(cancellationToken), async (item, token) =>
            await CreateAsync(run, item with { Pk = into.Value }, now, token).ConfigureAwait(false)).ConfigureAwait(false);
        await Parallel.ForEachAsync(moving, Bounded(cancellationToken), async (item, token) =>
            await DeleteItemAsync(run, from, item.Id, token).ConfigureAwait(false)).ConfigureAwait(false);
        if (live.Count > 0) await TrimAsync(run, into, cancellationToken).ConfigureAwait(false);
        Log(run, "merge", live.Count);
        return live.Count;
    }

    public async Task<int> DeleteAsync(ProfileKey key, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var run = NewRun();
        var ids = new List<string>();
        await foreach (var id in QueryAsync<string>(run, new QueryDefinition("SELECT VALUE c.id FROM c WHERE c.pk = @pk").WithParameter("@pk", key.Value), key, cancellationToken).ConfigureAwait(false))
            ids.Add(id);
        var deleted = 0;
        await Parallel.ForEachAsync(ids, Bounded(cancellationToken), async (id, token) =>
        {
            if (await DeleteItemAsync(run, key, id, token).ConfigureAwait(false)) Interlocked.Increment(ref deleted);
        }).ConfigureAwait(false);
        Log(run, "delete", deleted);
        return deleted;
    }

    public void Dispose()
    {
        _checkGate.Dispose();
        if (_ownsClient) _client.Dispose();
    }

    private ProfileEventItem Item(ProfileKey key, ProfileEvent e, DateTimeOffset now)
    {
        var ttl = _options.EventTtl;
        return new ProfileEventItem(
            ProfileEventItem.IdFor(e.EventKey), key.Value, e.EventKey, e.EventId, e.ItemId, e.Type.ToString().ToLowerInvariant(),
            e.Timestamp.ToUniversalTime(), e.Timestamp.UtcTicks, e.SessionId, e.RecommendationId, e.Received,
            ttl is { } t ? (now + t).UtcTicks : null, ttl is { } s ? (int)Math.Ceiling(s.TotalSeconds) : null);
    }

    private static ProfileEvent ToEvent(ProfileEventItem item)
    {
        EventNames.TryParse(item.Event, out var type);
        return new ProfileEvent(item.EventKey, item.EventId, item.ItemId, type, item.Timestamp, item.SessionId, item.RecommendationId, item.Received);
    }

    /// <summary>Creates the document; false when the profile already holds its key (an expired holder is replaced).</summary>
    private async Task<bool> CreateAsync(CosmosRun run, ProfileEventItem item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(item.Pk);
        try
        {
            // The request is named without the shopper's ids: the message may reach a log.
            await run.ExecuteAsync("create of a profile event",
                ct => _container.CreateItemAsync(item, partition, WriteOptions, ct), r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            var existing = await run.ExecuteAsync("read of a profile event",
                ct => _container.ReadItemAsync<ProfileEventItem>(item.Id, partition, cancellationToken: ct), r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
            if (existing.Resource.Expires is not { } expires || expires > now.UtcTicks) return false;
            await run.ExecuteAsync("replace of an expired profile event",
                ct => _container.ReplaceItemAsync(item, item.Id, partition, new ItemRequestOptions { IfMatchEtag = existing.ETag, EnableContentResponseOnWrite = false }, ct),
                r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>Deletes one document; false when it was not there.</summary>
    private async Task<bool> DeleteItemAsync(CosmosRun run, ProfileKey key, string id, CancellationToken cancellationToken)
    {
        try
        {
            await run.ExecuteAsync("delete of a profile event",
                ct => _container.DeleteItemAsync<ProfileEventItem>(id, new PartitionKey(key.Value), WriteOptions, ct), r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Keeps the newest <see cref="ProfileOptions.MaxEvents"/> (by time, then arrival); expired ones go too.</summary>
    private async Task TrimAsync(CosmosRun run, ProfileKey key, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var all = new List<Stamp>();
        await foreach (var stamp in QueryAsync<Stamp>(run, new QueryDefinition("SELECT c.id, c.ticks, c.received, c.expires FROM c WHERE c.pk = @pk").WithParameter("@pk", key.Value), key, cancellationToken).ConfigureAwait(false))
            all.Add(stamp);
        var live = all.Where(s => s.Expires is null || s.Expires > now).OrderByDescending(s => s.Ticks).ThenByDescending(s => s.Received).ToList();
        var drop = live.Skip(_options.MaxEvents).Concat(all.Where(s => s.Expires is { } e && e <= now)).Select(s => s.Id).ToList();
        await Parallel.ForEachAsync(drop, Bounded(cancellationToken), async (id, token) =>
            await DeleteItemAsync(run, key, id, token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private IAsyncEnumerable<T> QueryAsync<T>(CosmosRun run, QueryDefinition query, ProfileKey key, CancellationToken cancellationToken)
        => CosmosPartitionQuery.ReadAsync<T>(run, _container, query, key.Value, cancellationToken, "query of a profile");

    /// <summary>Checks once that the container exists with partition key <c>/pk</c> (the app's identity cannot create it).</summary>
    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_checked) return;
        await _checkGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_checked) return;
            await CosmosContainerCheck.RequireAsync(NewRun(), _client, _container, _account.Database, _containerName, "Profiles__Container", "profile store", cancellationToken).ConfigureAwait(false);
            _checked = true;
        }
        finally
        {
            _checkGate.Release();
        }
    }

    private static ItemRequestOptions WriteOptions { get; } = new() { EnableContentResponseOnWrite = false };

    private ParallelOptions Bounded(CancellationToken cancellationToken)
        => new() { MaxDegreeOfParallelism = _account.WriteConcurrency, CancellationToken = cancellationToken };

    private CosmosRun NewRun() => new(_account, _client.Endpoint.ToString(), _time);

    /// <summary>One line per call, without the shopper's ids (personal data stays out of the logs).</summary>
    private void Log(CosmosRun run, string operation, int count)
    {
        var t = run.Totals;
        _logger.Log(t.Retries > 0 ? LogLevel.Warning : LogLevel.Debug,
            "Cosmos profile store {Operation}: {Count} events, {RequestCharge:F1} RU, {Retries} retries", operation, count, t.RequestCharge, t.Retries);
    }

    private sealed record Stamp(
        [property: System.Text.Json.Serialization.JsonPropertyName("id")] string Id,
        [property: System.Text.Json.Serialization.JsonPropertyName("ticks")] long Ticks,
        [property: System.Text.Json.Serialization.JsonPropertyName("received")] long Received,
        [property: System.Text.Json.Serialization.JsonPropertyName("expires")] long? Expires);
}

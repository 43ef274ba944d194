using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Azure.Core;
using Azure.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Urm.Core.Cards;

namespace Urm.Azure.Cosmos;

/// <summary>
/// The card store in a Cosmos DB for NoSQL container (partition key <c>/pk</c>, see <see cref="CardPartitions"/>):
/// one card set of it, the default "" unless named, every set in partitions of its own.
/// </summary>
/// <remarks>
/// <para>
/// Versions. Cosmos DB has no transaction across partitions, so a write cannot bump the version and
/// write its cards atomically as SQLite does. Instead each write first reserves the next version in
/// the catalog version document (an ETag-conditioned replace, redone on 412, so two racing writers
/// never get the same number), stamps its cards with it, and then clears its reservation. Readers see
/// the version just below the oldest write still in progress (<see cref="CatalogVersionItem.Visible"/>):
/// a serving instance that moves to version v has therefore seen every card written at or below v,
/// and reads only <c>version &gt; v</c> next time without missing a card of a slower writer.
/// </para>
/// <para>
/// A writer that dies leaves its reservation behind; after <see cref="CosmosCardStoreOptions.WriteLease"/>
/// readers pass it by. A writer that is merely slow and finds half its lease gone when done writes its
/// cards again under a fresh version, since a reader may have passed it by meanwhile.
/// </para>
/// <para>
/// Writes are point upserts with bounded concurrency; with <see cref="CosmosCardStoreOptions.BulkExecution"/>
/// the SDK packs concurrent ones into batches per partition. Every request goes through
/// <see cref="CosmosRun"/> (retries honouring retry-after, RU and retry counts), logged once per call.
/// </para>
/// </remarks>
public sealed class CosmosCardStore : ICardStore, IDisposable
{
    private const string VersionField = "version";

    private readonly CosmosClient _client;
    private readonly bool _ownsClient;
    private readonly Container _container;
    private readonly CosmosCardStoreOptions _options;
    private readonly IReadOnlyList<string> _buckets;
    private readonly string _catalogPartition;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _checkGate = new(1, 1);
    private readonly Lock _totalsGate = new();
    private CosmosRequestTotals _totals = CosmosRequestTotals.Zero;
    private volatile bool _checked;

    /// <param name="client">A client made by <see cref="CreateClient"/> (or with <see cref="ClientOptions"/>).</param>
    /// <param name="ownsClient">Whether <see cref="Dispose"/> disposes <paramref name="client"/>.</param>
    /// <param name="cardSet">The card set (<see cref="ICardSets"/>); "" is the cards as stored before sets existed.</param>
    public CosmosCardStore(CosmosClient client, CosmosCardStoreOptions options, ILogger<CosmosCardStore>? logger = null, TimeProvider? time = null, bool ownsClient = false, string cardSet = "")
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        var problems = CosmosCardStoreOptionsValidator.Problems(options).Where(p => !p.StartsWith("CardStore__CosmosEndpoint", StringComparison.Ordinal)).ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        _container = client.GetContainer(options.Database, options.Container);
        CardSet = CardSetNames.Check(cardSet, nameof(cardSet));
        _buckets = CardPartitions.BucketsFor(cardSet);
        _catalogPartition = CardPartitions.CatalogPartitionFor(cardSet);
        _logger = logger ?? NullLogger<CosmosCardStore>.Instance;
        _time = time ?? TimeProvider.System;
        _ownsClient = ownsClient;
    }

    public string CardSet { get; }

    /// <summary>RU charge and retries of every call so far (each call also logs its own).</summary>
    public CosmosRequestTotals Totals
    {
        get { lock (_totalsGate) return _totals; }
    }

    /// <summary>
    /// The product's client settings: this store's serializer, bulk mode as configured, and the SDK's own
    /// rate-limit retries off (the store retries and counts them itself).
    /// </summary>
    public static CosmosClientOptions ClientOptions(CosmosCardStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new CosmosClientOptions
        {
            ApplicationName = "urm",
            Serializer = new CardJsonSerializer(),
            AllowBulkExecution = options.BulkExecution,
            MaxRetryAttemptsOnRateLimitedRequests = 0,
            MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.Zero,
        };
    }

    /// <summary>
    /// A client for <paramref name="options"/>: signed in with <paramref name="credential"/> (default
    /// <see cref="DefaultAzureCredential"/>, i.e. the managed identity named by AZURE_CLIENT_ID in Azure),
    /// or with the connection string when one is set (emulators only).
    /// </summary>
    /// <param name="configure">Changes to the client settings on top of <see cref="ClientOptions"/> (transport, for tests).</param>
    public static CosmosClient CreateClient(CosmosCardStoreOptions options, TokenCredential? credential = null, Action<CosmosClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = ClientOptions(options);
        configure?.Invoke(clientOptions);
        if (!string.IsNullOrWhiteSpace(options.ConnectionString)) return new CosmosClient(options.ConnectionString, clientOptions);
        if (options.CosmosEndpoint is not { IsAbsoluteUri: true } endpoint)
            throw new InvalidOperationException("CardStore__CosmosEndpoint is not set; set it to the Cosmos DB account endpoint (e.g. https://<account>.documents.azure.com:443/), or CardStore__ConnectionString for an emulator.");
        return new CosmosClient(endpoint.ToString(), credential ?? new DefaultAzureCredential(), clientOptions);
    }

    public async Task<long> GetCatalogVersionAsync(CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var run = NewRun();
        var (version, _) = await ReadVersionAsync(run, cancellationToken).ConfigureAwait(false);
        Finish(run);
        return (version ?? CatalogVersionItem.Empty(CardSet)).Visible(_time.GetUtcNow());
    }

    public async Task<IReadOnlyDictionary<string, (string ContentHash, string ModelVersion)>> GetStampsAsync(CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var run = NewRun();
        var clock = Stopwatch.StartNew();
        var stamps = new ConcurrentDictionary<string, (string, string)>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(_buckets, Bounded(_options.ReadConcurrency, cancellationToken), async (bucket, token) =>
        {
            var query = new QueryDefinition("SELECT c.itemId, c.contentHash, c.modelVersion FROM c WHERE c.pk = @pk AND c.kind = @kind AND c.retired = false")
                .WithParameter("@pk", bucket).WithParameter("@kind", CardItem.CardKind);
            await foreach (var stamp in QueryAsync<Stamp>(run, query, bucket, token).ConfigureAwait(false))
                stamps[stamp.ItemId] = (stamp.ContentHash, stamp.ModelVersion);
        }).ConfigureAwait(false);
        Finish(run, "read stamps", stamps.Count, null, clock, LogLevel.Debug);
        return stamps;
    }

    public async Task<long> UpsertAsync(IReadOnlyList<CardDocument> cards, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cards);
        foreach (var card in cards) ArgumentNullException.ThrowIfNull(card);
        // Nothing to write changes no card, so the version stays: a reader must not refresh for nothing.
        if (cards.Count == 0) return await GetCatalogVersionAsync(cancellationToken).ConfigureAwait(false);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        // Last of each id wins, as it would in one SQLite transaction; two concurrent upserts of one
        // document would race.
        var latest = cards.GroupBy(c => c.Id, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        // An id Cosmos cannot hold is refused before a version is reserved, not half-way through the write.
        foreach (var card in latest) CardDocumentIds.For(card.Id);

        var run = NewRun();
        var clock = Stopwatch.StartNew();
        var version = await WriteVersionedAsync(run, "upsert", latest.Count, async (v, token) =>
        {
            await Parallel.ForEachAsync(latest, Bounded(_options.WriteConcurrency, token), async (card, inner) =>
            {
                var item = CardItem.From(card, v, CardSet);
                await run.ExecuteAsync($"upsert of card '{card.Id}'",
                    ct => _container.UpsertItemAsync(item, new PartitionKey(item.Pk), WriteOptions, ct),
                    r => r.RequestCharge, inner).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        Finish(run, "upsert", latest.Count, version, clock, LogLevel.Information);
        return version;
    }

    public async Task<long> RetireAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var run = NewRun();
        var clock = Stopwatch.StartNew();
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();

        // Only live cards are retired. Finding none changes nothing a reader could see, so no version is reserved.
        var live = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(distinct, Bounded(_options.WriteConcurrency, cancellationToken), async (id, token) =>
        {
            var (item, _) = await ReadCardAsync(run, id, token).ConfigureAwait(false);
            if (item is { Retired: false }) live.Add(id);
        }).ConfigureAwait(false);
        if (live.IsEmpty)
        {
            Finish(run);
            return await GetCatalogVersionAsync(cancellationToken).ConfigureAwait(false);
        }

        var retiredHere = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var now = _time.GetUtcNow();
        var version = await WriteVersionedAsync(run, "retire", live.Count, async (v, token) =>
        {
            await Parallel.ForEachAsync(live, Bounded(_options.WriteConcurrency, token), async (id, inner) =>
            {
                // Replace only the version read: an upsert racing in between (bringing the card back) is
                // re-read rather than overwritten with the retired copy.
                while (true)
                {
                    var (item, etag) = await ReadCardAsync(run, id, inner).ConfigureAwait(false);
                    if (item is null || (item.Retired && !retiredHere.ContainsKey(id))) return;
                    var retired = item with { Retired = true, Version = v, UpdatedAt = now };
                    try
                    {
                        await run.ExecuteAsync($"retire of card '{id}'",
                            ct => _container.ReplaceItemAsync(retired, retired.Id, new PartitionKey(retired.Pk), Conditional(etag), ct),
                            r => r.RequestCharge, inner).ConfigureAwait(false);
                        retiredHere[id] = true;
                        return;
                    }
                    catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed)
                    {
                    }
                }
            }).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        Finish(run, "retire", retiredHere.Count, version, clock, LogLevel.Information);
        return version;
    }

    public async IAsyncEnumerable<CardDocument> ReadChangedAsync(long sinceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var run = NewRun();
        var clock = Stopwatch.StartNew();
        // Buckets are read ReadConcurrency at a time into a bounded channel: the caller's pace throttles
        // the reads, and a million cards never sit in memory twice.
        var channel = Channel.CreateBounded<CardItem>(new BoundedChannelOptions(4_096) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(_buckets, Bounded(_options.ReadConcurrency, stop.Token), async (bucket, token) =>
                {
                    var query = new QueryDefinition($"SELECT * FROM c WHERE c.pk = @pk AND c.kind = @kind AND c.{VersionField} > @since")
                        .WithParameter("@pk", bucket).WithParameter("@kind", CardItem.CardKind).WithParameter("@since", sinceVersion);
                    await foreach (var item in QueryAsync<CardItem>(run, query, bucket, token).ConfigureAwait(false))
                        await channel.Writer.WriteAsync(item, token).ConfigureAwait(false);
                }).ConfigureAwait(false);
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, CancellationToken.None);

        var count = 0;
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                count++;
                yield return item.ToCard();
            }
        }
        finally
        {
            // A caller that stops early (or fails) stops the reads too.
            await stop.CancelAsync().ConfigureAwait(false);
            try { await producer.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
        Finish(run, "read changes", count, sinceVersion, clock, LogLevel.Debug);
    }

    public void Dispose()
    {
        _checkGate.Dispose();
        if (_ownsClient) _client.Dispose();
    }

    private static ItemRequestOptions WriteOptions { get; } = new() { EnableContentResponseOnWrite = false };

    private static ItemRequestOptions Conditional(string? etag) => new() { IfMatchEtag = etag, EnableContentResponseOnWrite = false };

    private static ParallelOptions Bounded(int degree, CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = degree, CancellationToken = cancellationToken };

    /// <summary>
    /// Reserves a version, runs <paramref name="write"/> with it and clears the reservation; writes again
    /// under a fresh version when the first took so long that readers may have passed the reservation by.
    /// </summary>
    private async Task<long> WriteVersionedAsync(CosmosRun run, string operation, int count, Func<long, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        while (true)
        {
            var started = _time.GetTimestamp();
            var version = await ReserveAsync(run, cancellationToken).ConfigureAwait(false);
            try
            {
                await write(version, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Let readers move on now rather than after the lease; if the server is gone this fails
                // too, and the lease runs out instead. The write's own error is the one that matters.
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await ReleaseAsync(run, version, limit.Token).ConfigureAwait(false); }
                catch (Exception release) { _logger.LogWarning(release, "Could not clear the reservation of catalog version {Version}; readers pass it by after {Lease}", version, _options.WriteLease); }
                throw;
            }
            await ReleaseAsync(run, version, cancellationToken).ConfigureAwait(false);
            var took = _time.GetElapsedTime(started);
            if (took <= _options.WriteLease / 2) return version;
            _logger.LogWarning("The {Operation} of {Count} cards at version {Version} took {Took}, over half the write lease ({Lease}); writing it again under a new version so no reader misses it",
                operation, count, version, took, _options.WriteLease);
        }
    }

    private async Task<long> ReserveAsync(CosmosRun run, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (current, etag) = await ReadVersionAsync(run, cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var doc = current ?? CatalogVersionItem.Empty(CardSet);
            var version = doc.Reserved + 1;
            var next = doc with { Reserved = version, Pending = [.. doc.Live(now), new PendingWrite(version, now + _options.WriteLease)] };
            try
            {
                if (current is null)
                    await run.ExecuteAsync("creation of the catalog version document",
                        ct => _container.CreateItemAsync(next, new PartitionKey(next.Pk), WriteOptions, ct), r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
                else
                    await run.ExecuteAsync("update of the catalog version document",
                        ct => _container.ReplaceItemAsync(next, next.Id, new PartitionKey(next.Pk), Conditional(etag), ct), r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
                return version;
            }
            catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
            {
                // Another writer got there first: read its update and take the number after it.
                run.CountVersionConflict();
            }
        }
    }

    private async Task ReleaseAsync(CosmosRun run, long version, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (current, etag) = await ReadVersionAsync(run, cancellationToken).ConfigureAwait(false);
            if (current is null || current.Pending.All(p => p.Version != version)) return;
            var next = current with { Pending = current.Pending.Where(p => p.Version != version).ToList() };
            try
            {
                await run.ExecuteAsync("update of the catalog version document",
                    ct => _container.ReplaceItemAsync(next, next.Id, new PartitionKey(next.Pk), Conditional(etag), ct), r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed)
            {
                run.CountVersionConflict();
            }
        }
    }

    private async Task<(CatalogVersionItem? Item, string? ETag)> ReadVersionAsync(CosmosRun run, CancellationToken cancellationToken)
    {
        try
        {
            var response = await run.ExecuteAsync("read of the catalog version document",
                ct => _container.ReadItemAsync<CatalogVersionItem>(CatalogVersionItem.DocumentId, new PartitionKey(_catalogPartition), cancellationToken: ct),
                r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
            return (response.Resource, response.ETag);
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.NotFound)
        {
            return (null, null);
        }
    }

    private async Task<(CardItem? Item, string? ETag)> ReadCardAsync(CosmosRun run, string id, CancellationToken cancellationToken)
    {
        try
        {
            var response = await run.ExecuteAsync($"read of card '{id}'",
                ct => _container.ReadItemAsync<CardItem>(CardDocumentIds.For(id), new PartitionKey(CardPartitions.For(id, CardSet)), cancellationToken: ct),
                r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
            return (response.Resource, response.ETag);
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.NotFound)
        {
            return (null, null);
        }
    }

    /// <summary>One bucket's query, page by page, each page retried on its own.</summary>
    private IAsyncEnumerable<T> QueryAsync<T>(CosmosRun run, QueryDefinition query, string bucket, CancellationToken cancellationToken)
        => CosmosPartitionQuery.ReadAsync<T>(run, _container, query, bucket, cancellationToken);

    /// <summary>
    /// Checks once that the container exists with partition key <c>/pk</c>: the app has no right to create
    /// it (data-plane identity), and a container keyed otherwise would take every write in the wrong place.
    /// </summary>
    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_checked) return;
        await _checkGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_checked) return;
            var run = NewRun();
            try
            {
                await CosmosContainerCheck.RequireAsync(run, _client, _container, _options.Database, _options.Container, "CardStore__Container", "card store", cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Finish(run);
            }
            _checked = true;
        }
        finally
        {
            _checkGate.Release();
        }
    }

    private CosmosRun NewRun() => new(_options, _client.Endpoint.ToString(), _time);

    private void Finish(CosmosRun run)
    {
        var totals = run.Totals;
        lock (_totalsGate) _totals = _totals.Add(totals);
    }

    private void Finish(CosmosRun run, string operation, int count, long? version, Stopwatch clock, LogLevel level)
    {
        Finish(run);
        var t = run.Totals;
        // Retries are worth a warning whatever the operation: they mean the container is short of throughput.
        _logger.Log(t.Retries > 0 ? LogLevel.Warning : level,
            "Cosmos card store {Operation}: {Count} cards of set \"{CardSet}\", version {Version}, {RequestCharge:F1} RU, {Retries} retries ({Throttled} throttled, {RetryWith} retry-with, {Unavailable} unavailable), {Conflicts} version conflicts, {Seconds:F2} s",
            operation, count, CardSet, version, t.RequestCharge, t.Retries, t.Throttled, t.RetryWith, t.Unavailable, t.VersionConflicts, clock.Elapsed.TotalSeconds);
    }

    private sealed record Stamp(
        [property: System.Text.Json.Serialization.JsonPropertyName("itemId")] string ItemId,
        [property: System.Text.Json.Serialization.JsonPropertyName("contentHash")] string ContentHash,
        [property: System.Text.Json.Serialization.JsonPropertyName("modelVersion")] string ModelVersion);
}

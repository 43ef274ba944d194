using System.Diagnostics;
using System.Text.Json;
using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Telemetry;

namespace Urm.Core.Runs;

/// <summary>
/// A catalog snapshot encoded as chunks that any number of workers, on any instance, encode side by side
/// (docs/DEPLOY.md, "Lifecycle"). <see cref="PlanAsync"/> reads the snapshot once (both passes of
/// <see cref="CatalogReader"/>), diffs it against the card set's stamps and writes the changed items as
/// chunks; the caller sends one work item per chunk. <see cref="EncodeChunkAsync"/> encodes one chunk and
/// marks it done exactly once, so a redelivered chunk changes nothing. When every chunk is done,
/// <see cref="FinishAsync"/> retires what the snapshot lacks (within the retire limit) and reports.
/// </summary>
/// <remarks>
/// The run itself holds no lock and knows nothing of other runs: the host decides which run is current
/// (a newer upload supersedes an older one) and skips chunks and finishes of runs that are not.
/// </remarks>
/// <param name="metrics">Where runs and their items are counted (a run's first finish, a rejected catalog); null: not counted.</param>
public sealed class ChunkedCatalogRun(IRunStore runs, ChunkedRunOptions? options = null, TimeProvider? time = null, UrmMetrics? metrics = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ChunkedRunOptions _options = Checked(options ?? ChunkedRunOptions.Default);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Reads the snapshot, writes the chunks of changed items and the plan.</summary>
    /// <param name="set">The card set the run writes: its stamps decide what is unchanged.</param>
    /// <exception cref="InvalidCatalogException">The catalog has no valid row; nothing is written.</exception>
    public async Task<CatalogRunPlan> PlanAsync(RunRequest request, Func<CancellationToken, Task<Stream>> open, CatalogFormat format, ICardStore set, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(set);
        try
        {
            return await PlanChunksAsync(request, open, format, set, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidCatalogException)
        {
            metrics?.CatalogRunEnded(UrmMetrics.RunRejected);
            throw;
        }
    }

    private async Task<CatalogRunPlan> PlanChunksAsync(RunRequest request, Func<CancellationToken, Task<Stream>> open, CatalogFormat format, ICardStore set, CancellationToken cancellationToken)
    {
        var runId = RunNames.NewRunId(_time.GetUtcNow());
        var read = new ReadReport(_options.MaxDetailedErrors);
        var stamps = await set.GetStampsAsync(cancellationToken).ConfigureAwait(false);
        var seen = new List<string>();
        var buffer = new List<CatalogItem>(_options.ChunkSize);
        int chunks = 0, skipped = 0, changed = 0;
        await foreach (var item in CatalogReader.ReadAsync(open, format, read, cancellationToken).ConfigureAwait(false))
        {
            seen.Add(item.Id);
            if (stamps.TryGetValue(item.Id, out var stamp) && stamp.ModelVersion == request.ModelVersion && stamp.ContentHash == ContentHash.Compute(item))
            {
                skipped++;
                continue;
            }
            changed++;
            buffer.Add(item);
            if (buffer.Count < _options.ChunkSize) continue;
            await WriteChunkAsync(runId, chunks++, buffer, cancellationToken).ConfigureAwait(false);
            buffer.Clear();
        }
        if (buffer.Count > 0) await WriteChunkAsync(runId, chunks++, buffer, cancellationToken).ConfigureAwait(false);

        await runs.WriteAsync(runId, RunNames.Seen, JsonSerializer.SerializeToUtf8Bytes(seen, Json), createOnly: false, cancellationToken).ConfigureAwait(false);
        var plan = new CatalogRunPlan(runId, request, chunks, _options.ChunkSize, read.RowsRead, read.Accepted, read.Rejected, read.Errors.ToList(),
            skipped, changed, _time.GetUtcNow());
        // The plan last: a run whose plan exists has all its chunks.
        await runs.WriteAsync(runId, RunNames.Plan, JsonSerializer.SerializeToUtf8Bytes(plan, Json), createOnly: false, cancellationToken).ConfigureAwait(false);
        return plan;
    }

    /// <exception cref="InvalidOperationException">The run has no plan (never planned, or its files are gone).</exception>
    public async Task<CatalogRunPlan> ReadPlanAsync(string runId, CancellationToken cancellationToken)
    {
        var plan = await runs.ReadAsync(runId, RunNames.Plan, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Run {runId} has no {RunNames.Plan}: it was never planned, or its files were deleted.");
        return JsonSerializer.Deserialize<CatalogRunPlan>(plan, Json)!;
    }

    /// <summary>The run's plan; null when it has none (never planned, or its files expired).</summary>
    public async Task<CatalogRunPlan?> TryReadPlanAsync(string runId, CancellationToken cancellationToken)
        => await runs.ReadAsync(runId, RunNames.Plan, cancellationToken).ConfigureAwait(false) is { } plan
            ? JsonSerializer.Deserialize<CatalogRunPlan>(plan, Json)
            : null;

    public async Task<bool> IsDoneAsync(string runId, int chunk, CancellationToken cancellationToken)
        => await runs.ReadAsync(runId, RunNames.Done(chunk), cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Encodes chunk <paramref name="chunk"/> with <paramref name="encoder"/> (over the run's card set and model), once.</summary>
    /// <param name="stillCurrent">Asked before each write to the store: false when a newer run replaced this one,
    /// whose cards an older chunk must not overwrite; the chunk then stops (<see cref="ChunkOutcome.Replaced"/>).</param>
    public async Task<ChunkOutcome> EncodeChunkAsync(string runId, int chunk, CatalogEncoder encoder, CancellationToken cancellationToken,
        Func<CancellationToken, Task<bool>>? stillCurrent = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var plan = await ReadPlanAsync(runId, cancellationToken).ConfigureAwait(false);
        ArgumentOutOfRangeException.ThrowIfNegative(chunk);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(chunk, plan.Chunks);
        if (await runs.ReadAsync(runId, RunNames.Done(chunk), cancellationToken).ConfigureAwait(false) is not null)
            return new ChunkOutcome(AlreadyDone: true, await AllDoneAsync(plan, cancellationToken).ConfigureAwait(false));

        var clock = Stopwatch.StartNew();
        var items = await ReadChunkAsync(runId, chunk, cancellationToken).ConfigureAwait(false);
        ChunkEncoding encoded;
        try
        {
            encoded = await encoder.EncodeChangedAsync(items, cancellationToken, stillCurrent).ConfigureAwait(false);
        }
        catch (RunReplacedException)
        {
            return new ChunkOutcome(AlreadyDone: false, AllDone: false) { Replaced = true };
        }
        if (encoded.ModelVersion != plan.Request.ModelVersion)
            throw new InvalidOperationException($"Chunk {chunk} of run {runId} was encoded with model {encoded.ModelVersion}, but the run is for model {plan.Request.ModelVersion}.");
        var report = new ChunkReport(chunk, items.Count, encoded.Fused, encoded.ImageProblems, encoded.Extraction, encoded.ModelVersion, clock.Elapsed.TotalSeconds);
        // Two workers given the same chunk both write the same cards (same content, same model); only the first marks it.
        var first = await runs.WriteAsync(runId, RunNames.Done(chunk), JsonSerializer.SerializeToUtf8Bytes(report, Json), createOnly: true, cancellationToken).ConfigureAwait(false);
        return new ChunkOutcome(!first, await AllDoneAsync(plan, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Retires what the snapshot lacks (within the retire limit) and sums the chunks into the run's report.
    /// Idempotent: a second call retires nothing more and reports the same.
    /// </summary>
    /// <exception cref="InvalidOperationException">A chunk is not done yet.</exception>
    public async Task<CatalogEncodingReport> FinishAsync(string runId, ICardStore set, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        var clock = Stopwatch.StartNew();
        var plan = await ReadPlanAsync(runId, cancellationToken).ConfigureAwait(false);
        var done = new List<ChunkReport>(plan.Chunks);
        for (var chunk = 0; chunk < plan.Chunks; chunk++)
        {
            var data = await runs.ReadAsync(runId, RunNames.Done(chunk), cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Run {runId} cannot finish: chunk {chunk} of {plan.Chunks} is not done.");
            done.Add(JsonSerializer.Deserialize<ChunkReport>(data, Json)!);
        }
        var seenData = await runs.ReadAsync(runId, RunNames.Seen, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Run {runId} has no {RunNames.Seen}.");
        var seen = JsonSerializer.Deserialize<List<string>>(seenData, Json)!.ToHashSet(StringComparer.Ordinal);

        // The live set as it is now, not as it was when planned: an older run's chunk may have added an item since.
        var stamps = await set.GetStampsAsync(cancellationToken).ConfigureAwait(false);
        var absent = stamps.Keys.Where(id => !seen.Contains(id)).ToList();
        var withheld = absent.Count > _options.MaxRetireShare * stamps.Count && !plan.Request.AllowMassRetire;
        if (absent.Count > 0 && !withheld) await set.RetireAsync(absent, cancellationToken).ConfigureAwait(false);

        var counts = done.Select(d => d.Extraction).Aggregate(new ExtractionCounts(0, 0, 0, 0, 0), (a, b) => new ExtractionCounts(
            a.Items + b.Items, a.CacheHits + b.CacheHits, a.TextsEncoded + b.TextsEncoded, a.ImagesEncoded + b.ImagesEncoded, a.ImageProblems + b.ImageProblems));
        var report = new CatalogEncodingReport(
            RowsRead: plan.RowsRead,
            Accepted: plan.Accepted,
            Rejected: plan.Rejected,
            RowErrors: plan.RowErrors,
            SkippedUnchanged: plan.SkippedUnchanged,
            Fused: done.Sum(d => d.Fused),
            Retired: withheld ? 0 : absent.Count,
            ImageProblems: done.SelectMany(d => d.ImageProblems).ToList(),
            Extraction: counts,
            ModelVersion: plan.Request.ModelVersion,
            CatalogVersion: await set.GetCatalogVersionAsync(cancellationToken).ConfigureAwait(false),
            Seconds: (_time.GetUtcNow() - plan.CreatedAt).TotalSeconds)
        {
            Chunks = plan.Chunks,
            RetireWithheld = withheld ? absent.Count : 0,
            Warning = withheld
                ? $"{absent.Count:N0} of the {stamps.Count:N0} live items are absent from this snapshot, more than the retire limit " +
                  $"({_options.MaxRetireShare * 100:0.#} % of the live catalog), so none was retired: a partial export would otherwise empty the shop. " +
                  "If the snapshot is meant to drop them, upload it again marked so (blob metadata urm_allow_mass_retire=true, or urm encode --allow-mass-retire)."
                : null,
        };
        // A finish called again (its caller failed after it and was retried) reports the same run: counted once.
        var again = await runs.ReadAsync(runId, RunNames.Finish, cancellationToken).ConfigureAwait(false) is not null;
        await runs.WriteAsync(runId, RunNames.Finish, JsonSerializer.SerializeToUtf8Bytes(report, Json), createOnly: false, cancellationToken).ConfigureAwait(false);
        if (!again) metrics?.CatalogRunFinished(report);
        return report;
    }

    /// <summary>
    /// Encodes every chunk of a planned run in this process with <paramref name="workers"/> workers side by
    /// side, each with its own encoder, then finishes it: the path `urm serve` takes, the same steps the
    /// Functions app spreads over queue messages and instances.
    /// </summary>
    public async Task<CatalogEncodingReport> RunInProcessAsync(CatalogRunPlan plan, Func<CatalogEncoder> encoders, int workers, ICardStore set, CancellationToken cancellationToken)
    {
        try
        {
            await EncodeChunksInProcessAsync(plan, encoders, workers, cancellationToken).ConfigureAwait(false);
            return await FinishAsync(plan.RunId, set, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Here nothing retries a chunk (the Functions app's queue does, and counts a run failed only when one is poisoned).
            metrics?.CatalogRunEnded(UrmMetrics.RunFailed);
            throw;
        }
    }

    /// <summary>The chunks of <see cref="RunInProcessAsync"/> alone (the benchmark times them apart from the finish).</summary>
    public async Task EncodeChunksInProcessAsync(CatalogRunPlan plan, Func<CatalogEncoder> encoders, int workers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(encoders);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(workers, Math.Max(plan.Chunks, 1))).Select(_ => Task.Run(async () =>
        {
            var encoder = encoders();
            int chunk;
            while ((chunk = Interlocked.Increment(ref next)) < plan.Chunks)
                await EncodeChunkAsync(plan.RunId, chunk, encoder, cancellationToken).ConfigureAwait(false);
        }, cancellationToken))).ConfigureAwait(false);
    }

    private async Task<bool> AllDoneAsync(CatalogRunPlan plan, CancellationToken cancellationToken)
        => (await runs.ListAsync(plan.RunId, RunNames.DonePrefix, cancellationToken).ConfigureAwait(false)).Count >= plan.Chunks;

    private async Task WriteChunkAsync(string runId, int chunk, List<CatalogItem> items, CancellationToken cancellationToken)
    {
        using var bytes = new MemoryStream();
        var writer = new CatalogWriter(bytes);
        await using (writer.ConfigureAwait(false))
            foreach (var item in items) await writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        await runs.WriteAsync(runId, RunNames.Chunk(chunk), bytes.ToArray(), createOnly: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<CatalogItem>> ReadChunkAsync(string runId, int chunk, CancellationToken cancellationToken)
    {
        var data = await runs.ReadAsync(runId, RunNames.Chunk(chunk), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Run {runId} has no {RunNames.Chunk(chunk)}.");
        var items = new List<CatalogItem>();
        var read = new ReadReport(0);
        await foreach (var item in CatalogReader.ReadAsync(_ => Task.FromResult<Stream>(new MemoryStream(data, writable: false)), CatalogFormat.JsonLines, read, cancellationToken).ConfigureAwait(false))
            items.Add(item);
        if (read.Rejected > 0) throw new InvalidDataException($"{RunNames.Chunk(chunk)} of run {runId} has {read.Rejected} rows that do not read back; the run wrote them itself, so its files are damaged.");
        return items;
    }

    private static ChunkedRunOptions Checked(ChunkedRunOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ChunkSize, 1);
        if (options.MaxRetireShare is < 0 or > 1 || double.IsNaN(options.MaxRetireShare))
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRetireShare, "MaxRetireShare is a share of the live catalog, from 0 to 1 (1 = no limit).");
        return options;
    }
}

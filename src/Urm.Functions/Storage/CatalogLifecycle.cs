using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Urm.Azure.Blobs;
using Urm.Azure.Lifecycle;
using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Core.Experiments;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;
using Urm.Core.Models.Package;
using Urm.Core.Runs;
using Urm.Core.Telemetry;
using Urm.Functions.Options;

namespace Urm.Functions.Storage;

/// <summary>
/// The catalog and model lifecycle across every instance (docs/DEPLOY.md, "Lifecycle"). Cards live in one
/// card set per model version; <c>models/serving.json</c> (<see cref="ServingPointer"/>) names the model and
/// set every instance serves (<see cref="ServingFollower"/>), the catalog snapshot last encoded, and the
/// run in progress.
/// </summary>
/// <remarks>
/// <para>
/// A catalog upload or a new <c>models/active.json</c> makes a chunked run (<see cref="ChunkedCatalogRun"/>):
/// the coordinator reads the snapshot once, writes the changed items as chunks and queues one message per
/// chunk; queue-triggered workers on any instance encode them; the worker that completes the last chunk
/// finishes the run: retires what the snapshot lacks and, for a new model, flips the pointer; during an
/// experiment it then plans the same snapshot into each arm's own card set in turn (<see cref="NextArmSet"/>),
/// so no arm serves items the served set has retired or changed. An upload
/// goes into the served set, or into the set being built when a new model is pending; a model's set is
/// built from the recorded snapshot while the old set keeps serving (raw features come from the shared
/// feature store, so that is a re-fuse wherever a chunk lands).
/// </para>
/// <para>
/// Coordinators and finishes hold <see cref="LifecycleLock"/> (seconds, not the run): a newer run replaces
/// the current one in the pointer, and chunks and finishes of a replaced run do nothing. A chunk that fails
/// is retried by the queue on any instance and resumes (done chunks are marked once); one that keeps
/// failing ends in the poison queue, and <see cref="FailRunAsync"/> ends its run with a report. A package
/// that cannot be served never becomes the pointer's model, and the reason is in
/// <c>models/&lt;version&gt;.activation.json</c>. Only transient failures throw.
/// </para>
/// </remarks>
public sealed class CatalogLifecycle(
    BlobServiceClient blobs, BlobModelPackageSource packages, ServingPointerStore pointers, LifecycleLock gate, ICardSets sets,
    CatalogTextEncoder text, IFeatureCache features, EncoderSessionOptions session, HttpClient http, ServingFollower follower,
    ChunkQueue queue, RunModels runModels, IOptions<LifecycleOptions> options, IOptions<ModelsOptions> models,
    ILogger<CatalogLifecycle> logger, TimeProvider? time = null, UrmMetrics? metrics = null, IOptions<ExperimentOptions>? experiment = null,
    ImageEncoderOptions? imageOptions = null)
{
    /// <summary>Blob metadata that marks an upload as meant to drop more than the retire limit of the live catalog.</summary>
    public const string AllowMassRetireMetadata = "urm_allow_mass_retire";

    /// <summary>The container catalog blobs are uploaded to (the trigger's path).</summary>
    public const string CatalogContainer = "catalog";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ChunkedCatalogRun _run = new(
        new BlobRunStore(blobs.GetBlobContainerClient(options.Value.RunsContainer)), new ChunkedRunOptions(ChunkSize: options.Value.ChunkSize), time, metrics);

    private BlobCatalogReports Reports => new(blobs);

    /// <summary>A catalog upload: plans its run into the served set (or the pending model's) and queues its chunks.</summary>
    /// <param name="blob">The uploaded catalog (the trigger's client).</param>
    /// <param name="name">Its name inside its container, which names the report.</param>
    /// <returns>The run's id; null when nothing was planned (not a catalog, no model yet, no valid row, replaced while read).</returns>
    public async Task<string?> EncodeCatalogAsync(BlobClient blob, string name, CancellationToken cancellationToken)
    {
        if (!CatalogFormats.TryFromPath(name, out var format))
        {
            logger.LogInformation("Ignored {Blob}: not a catalog by its extension ({Supported})", name, CatalogFormats.SupportedExtensions);
            return null;
        }
        CatalogRunPlan? plan;
        var resumed = false;
        await using (var held = await gate.AcquireAsync(options.Value.LockWait, cancellationToken).ConfigureAwait(false))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
            var token = linked.Token;
            BlobProperties properties;
            try
            {
                properties = (await blob.GetPropertiesAsync(cancellationToken: token).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                logger.LogInformation("Ignored {Blob}: deleted before its run started", name);
                return null;
            }
            var (pointer, etag) = await pointers.ReadAsync(token).ConfigureAwait(false);
            var snapshot = new CatalogSnapshot(name, properties.ETag.ToString());
            var inProgress = await CurrentPlanAsync(pointer, token).ConfigureAwait(false);
            if (pointer.Catalog == snapshot && inProgress is null)
            {
                logger.LogInformation("Ignored {Blob}: this upload ({ETag}) is encoded already (the event came twice)", name, properties.ETag);
                return null;
            }
            if (inProgress is { } running && running.Request.CatalogName == name && running.Request.CatalogETag == snapshot.ETag)
            {
                // Delivered again (a retry of this very function, or a duplicate): the run may have stalled
                // half-way through sending its chunks, so whatever it lacks is sent again.
                plan = running;
                resumed = true;
            }
            else
            {
                // A pending model's set is where new uploads go: its run replaces the build and flips when done.
                var target = pointer.PendingModel ?? pointer.ModelVersion;
                if (target is null)
                {
                    await pointers.WriteAsync(pointer with { Catalog = snapshot, UpdatedAt = _time.GetUtcNow() }, etag, token).ConfigureAwait(false);
                    var notice = await Reports.WriteFailureAsync(name, "No model is served yet, so no card was written. The catalog is recorded: it is encoded as soon as models/active.json names a model package.", _time.GetUtcNow(), token).ConfigureAwait(false);
                    logger.LogWarning("Recorded {Blob} without encoding it: no model is served yet; report {Report}", name, notice);
                    return null;
                }

                var massRetire = properties.Metadata.TryGetValue(AllowMassRetireMetadata, out var flag) && bool.TryParse(flag, out var allowed) && allowed;
                var request = new RunRequest(name, snapshot.ETag, target, target, massRetire, Activates: pointer.PendingModel is not null);
                try
                {
                    plan = await _run.PlanAsync(request, OpenPinned(blob, properties.ETag), format, await sets.OpenAsync(target, token).ConfigureAwait(false), token).ConfigureAwait(false);
                }
                catch (InvalidCatalogException e)
                {
                    var failure = await Reports.WriteFailureAsync(name, e.Message, _time.GetUtcNow(), token).ConfigureAwait(false);
                    logger.LogWarning("Did not encode {Blob}: {Reason}; report {Report} (not retried: the same upload would fail again)", name, e.Message, failure);
                    return null;
                }
                catch (RequestFailedException e) when (e.Status is 412 or 404)
                {
                    // Replaced (or deleted) while read: the newer upload's own run (waiting on the lock) plans it.
                    logger.LogInformation("Stopped planning {Blob}: it was replaced while being read; the newer upload's run encodes it", name);
                    return null;
                }
                await pointers.WriteAsync(pointer with { CurrentRun = plan.RunId, UpdatedAt = _time.GetUtcNow() }, etag, token).ConfigureAwait(false);
                if (pointer.CurrentRun is { } replaced) logger.LogInformation("Run {Run} replaces run {Replaced}, whose remaining chunks do nothing", plan.RunId, replaced);
            }
        }
        await SendOrFinishAsync(plan, resumed, cancellationToken).ConfigureAwait(false);
        if (resumed) return plan.RunId;
        logger.LogInformation("Planned run {Run} for {Blob} into card set {Set}: {Changed} changed items in {Chunks} chunks, {Skipped} unchanged, {Rejected} rejected rows",
            plan.RunId, name, plan.Request.CardSet, plan.Changed, plan.Chunks, plan.SkippedUnchanged, plan.Rejected);
        return plan.RunId;
    }

    /// <summary>
    /// Makes the model <c>models/active.json</c> names the served one: checks the package, then plans the
    /// build of its card set from the recorded catalog (or flips at once when there is none yet).
    /// </summary>
    /// <returns>The served model version afterwards (the old one while the new set is being built); null when there is none.</returns>
    public async Task<string?> ActivateModelAsync(CancellationToken cancellationToken)
    {
        var wanted = await packages.ReadActiveVersionAsync(cancellationToken).ConfigureAwait(false);
        var (current, _) = await pointers.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (wanted is null || (current.ModelVersion == wanted && current.PendingModel is null))
        {
            await follower.RefreshAsync(cancellationToken).ConfigureAwait(false);
            return current.ModelVersion;
        }

        CatalogRunPlan? plan = null;
        var resumed = false;
        await using (var held = await gate.AcquireAsync(options.Value.LockWait, cancellationToken).ConfigureAwait(false))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
            var token = linked.Token;
            // Read again under the lock: another instance may have started it meanwhile, or a newer pointer arrived.
            wanted = await packages.ReadActiveVersionAsync(token).ConfigureAwait(false);
            var (pointer, etag) = await pointers.ReadAsync(token).ConfigureAwait(false);
            var running = await CurrentPlanAsync(pointer, token).ConfigureAwait(false);
            if (wanted is null)
            {
                // The pointer was deleted meanwhile: nothing is asked for.
            }
            else if (pointer.ModelVersion == wanted && pointer.PendingModel is not null)
            {
                // active.json went back to the served model: the build under way is not wanted any more.
                await pointers.WriteAsync(pointer with { PendingModel = null, CurrentRun = running?.Request.Activates == true ? null : pointer.CurrentRun, UpdatedAt = _time.GetUtcNow() }, etag, token).ConfigureAwait(false);
                logger.LogInformation("Cancelled the build of model {Pending}: models/active.json names the served model {Version} again", pointer.PendingModel, wanted);
            }
            else if (pointer.PendingModel == wanted && running is { Request.Activates: true })
            {
                // Delivered again, or retried after a failure: the build may have stalled half-way through sending its chunks.
                (plan, resumed) = (running, true);
            }
            else if (pointer.ModelVersion != wanted)
            {
                plan = await PlanBuildAsync(wanted, pointer, etag, running, token).ConfigureAwait(false);
            }
        }
        if (plan is not null) await SendOrFinishAsync(plan, resumed, cancellationToken).ConfigureAwait(false);
        await follower.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return (await pointers.ReadAsync(cancellationToken).ConfigureAwait(false)).Pointer.ModelVersion;
    }

    /// <summary>
    /// At an instance's start during an experiment: encodes the catalog last encoded into every arm's own set,
    /// as a finished run would have (an experiment set up after the last upload, or on a model whose set was built
    /// from an older catalog, would otherwise serve an empty or stale set until the next upload). Sets that are
    /// current already cost a plan with nothing changed; nothing is done while a run or a build is under way,
    /// since its finish goes through the arms' sets.
    /// </summary>
    /// <returns>The first arm's run; null when nothing was planned.</returns>
    public async Task<string?> EncodeArmSetsAsync(CancellationToken cancellationToken)
    {
        // Without an experiment an instance's start takes no lock for this.
        if (experiment?.Value.ToExperiment() is null) return null;
        CatalogRunPlan? plan;
        await using (var held = await gate.AcquireAsync(options.Value.LockWait, cancellationToken).ConfigureAwait(false))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
            var token = linked.Token;
            var (pointer, etag) = await pointers.ReadAsync(token).ConfigureAwait(false);
            if (pointer is not { Catalog: { } snapshot, ModelVersion: { } served, CardSet: { } set, CurrentRun: null }) return null;
            // As if the served set's run of that snapshot had just finished: the chain starts at the first arm's set.
            // The snapshot is the whole catalog the served set holds, so, as for a new model's build, an arm's set
            // kept from earlier may retire any share of it.
            var last = new RunRequest(snapshot.Name, snapshot.ETag, served, set, AllowMassRetire: true, Activates: false);
            plan = await PlanNextArmAsync(last, pointer, token).ConfigureAwait(false);
            if (plan is null) return null;
            await pointers.WriteAsync(pointer with { CurrentRun = plan.RunId, UpdatedAt = _time.GetUtcNow() }, etag, token).ConfigureAwait(false);
            logger.LogInformation("Planned run {Run} of {Blob} into arm card set {Set} at start: {Changed} changed items in {Chunks} chunks, {Skipped} unchanged",
                plan.RunId, snapshot.Name, plan.Request.CardSet, plan.Changed, plan.Chunks, plan.SkippedUnchanged);
        }
        await SendOrFinishAsync(plan, resumed: false, cancellationToken).ConfigureAwait(false);
        return plan.RunId;
    }

    /// <summary>A chunk message: encodes the chunk with its run's model into its run's set; the last one finishes the run.</summary>
    public async Task EncodeChunkAsync(ChunkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var (pointer, _) = await pointers.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (pointer.CurrentRun != message.RunId)
        {
            logger.LogInformation("Skipped chunk {Chunk} of run {Run}: a newer run replaced it, or it is finished", message.Chunk, message.RunId);
            return;
        }
        var plan = await _run.ReadPlanAsync(message.RunId, cancellationToken).ConfigureAwait(false);
        var (model, package) = await runModels.GetAsync(plan.Request.ModelVersion, cancellationToken).ConfigureAwait(false);
        var set = await sets.OpenAsync(plan.Request.CardSet, cancellationToken).ConfigureAwait(false);
        var catalog = blobs.GetBlobContainerClient(CatalogContainer).GetBlobClient(plan.Request.CatalogName);
        using var images = package.Manifest.Modalities.Contains("image")
            ? ImageEncoder.Load(ImagesBeside(catalog, plan.Request.CatalogName), imageOptions ?? new ImageEncoderOptions(Session: session with { IntraOpThreads = 0 }))
            : null;
        var outcome = await _run.EncodeChunkAsync(message.RunId, message.Chunk, new CatalogEncoder(set, model, text, images, features), cancellationToken,
            async ct => (await pointers.ReadAsync(ct).ConfigureAwait(false)).Pointer.CurrentRun == message.RunId).ConfigureAwait(false);
        if (outcome.Replaced)
        {
            logger.LogInformation("Stopped chunk {Chunk} of run {Run}: a newer run replaced it while it was encoded", message.Chunk, message.RunId);
            return;
        }
        if (outcome.AlreadyDone) logger.LogInformation("Chunk {Chunk} of run {Run} was done already (delivered twice)", message.Chunk, message.RunId);
        if (outcome.AllDone) await FinishRunAsync(message.RunId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A chunk that failed every delivery: ends its run (if still current) with a report, so it never hangs.</summary>
    public async Task FailRunAsync(ChunkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await using var held = await gate.AcquireAsync(options.Value.LockWait, cancellationToken).ConfigureAwait(false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
        var token = linked.Token;
        var (pointer, etag) = await pointers.ReadAsync(token).ConfigureAwait(false);
        if (pointer.CurrentRun != message.RunId) return;
        var plan = await _run.ReadPlanAsync(message.RunId, token).ConfigureAwait(false);
        var error = $"Chunk {message.Chunk} of run {message.RunId} failed on every delivery (see the app's logs for its exceptions); the run is stopped. " +
                    "Cards written by its other chunks stay (they are valid for their content). Upload the catalog again to retry.";
        // An arm's run reports beside the served set's report, as its finish does, never over it.
        var armRun = !plan.Request.Activates && plan.Request.CardSet != pointer.CardSet;
        var reportName = armRun ? ArmReportName(plan.Request.CatalogName, plan.Request.CardSet) : plan.Request.CatalogName;
        var report = await Reports.WriteFailureAsync(reportName, error, _time.GetUtcNow(), token).ConfigureAwait(false);
        if (plan.Request.Activates) await WriteActivationFailureAsync(plan.Request.ModelVersion, error, token).ConfigureAwait(false);
        await pointers.WriteAsync(pointer with { CurrentRun = null, PendingModel = plan.Request.Activates ? null : pointer.PendingModel, UpdatedAt = _time.GetUtcNow() }, etag, token).ConfigureAwait(false);
        metrics?.CatalogRunEnded(UrmMetrics.RunFailed);
        logger.LogError("Run {Run} failed: chunk {Chunk} was poisoned; report {Report}", message.RunId, message.Chunk, report);
    }

    /// <param name="running">The run in progress, if any: its upload is newer than the recorded one, so the build reads that.</param>
    private async Task<CatalogRunPlan?> PlanBuildAsync(string version, ServingPointer pointer, ETag? etag, CatalogRunPlan? running, CancellationToken cancellationToken)
    {
        try
        {
            // Loading and warming the package first: one that cannot serve is refused before anything is built.
            await runModels.GetAsync(version, cancellationToken).ConfigureAwait(false);
            var source = running is { } r ? new CatalogSnapshot(r.Request.CatalogName, r.Request.CatalogETag) : pointer.Catalog;
            if (source is not { } snapshot)
            {
                // No catalog yet: the set starts empty, and the first upload fills it.
                await pointers.WriteAsync(pointer with { ModelVersion = version, CardSet = version, PendingModel = null, CurrentRun = null, UpdatedAt = _time.GetUtcNow() }, etag, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Serving pointer flipped to model {Version} (no catalog yet, an empty card set)", version);
                return null;
            }
            var blob = blobs.GetBlobContainerClient(CatalogContainer).GetBlobClient(snapshot.Name);
            if (!CatalogFormats.TryFromPath(snapshot.Name, out var format))
                throw new InvalidCatalogException($"The recorded catalog '{snapshot.Name}' is not a catalog by its extension.", []);
            BlobProperties properties;
            try
            {
                properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                throw new InvalidCatalogException($"The catalog '{snapshot.Name}' last encoded is gone, so model {version} has no cards to build. Upload the catalog again, then models/active.json again.", []);
            }
            // The snapshot as it is now: should it be newer than the recorded one, the build encodes it. It is
            // the whole catalog of the new set, so it may retire any share of it (a set kept from an older
            // model holds items removed since).
            var request = new RunRequest(snapshot.Name, properties.ETag.ToString(), version, version, AllowMassRetire: true, Activates: true);
            var plan = await _run.PlanAsync(request, OpenPinned(blob, properties.ETag), format, await sets.OpenAsync(version, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            await pointers.WriteAsync(pointer with { PendingModel = version, CurrentRun = plan.RunId, UpdatedAt = _time.GetUtcNow() }, etag, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Building card set {Set} for model {Version} from {Blob}: run {Run}, {Chunks} chunks; model {Served} serves meanwhile",
                version, version, snapshot.Name, plan.RunId, plan.Chunks, pointer.ModelVersion ?? "(none)");
            if (running is not null) logger.LogInformation("Run {Run} replaces run {Replaced}, whose upload it encodes into the new set", plan.RunId, running.RunId);
            return plan;
        }
        catch (Exception e) when (e is ModelPackageException or InvalidCatalogException or FormatException)
        {
            var report = await WriteActivationFailureAsync(version, e.Message, cancellationToken).ConfigureAwait(false);
            logger.LogError("Model {Version} was not activated: {Reason}; report {Report}. Model {Served} keeps serving.", version, e.Message, report, pointer.ModelVersion ?? "(none)");
            return null;
        }
    }

    /// <summary>
    /// Sends a new run's chunks, or finishes a run that has none. A run met again (its event delivered
    /// again, its function retried) is finished when every chunk is done, and its missing chunks are sent
    /// again once it is older than <see cref="StalledAfter"/>: the first delivery may have died half-way
    /// through sending them. Done chunks are marked once, so a chunk sent twice is encoded once.
    /// </summary>
    private async Task SendOrFinishAsync(CatalogRunPlan plan, bool resumed, CancellationToken cancellationToken)
    {
        var missing = new List<int>();
        for (var chunk = 0; chunk < plan.Chunks; chunk++)
            if (!resumed || !await _run.IsDoneAsync(plan.RunId, chunk, cancellationToken).ConfigureAwait(false)) missing.Add(chunk);
        if (missing.Count == 0)
        {
            await FinishRunAsync(plan.RunId, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (resumed && _time.GetUtcNow() - plan.CreatedAt < StalledAfter) return;
        if (resumed) logger.LogWarning("Run {Run} looks stalled ({Missing} of {Chunks} chunks not done after {Age}); sending them again", plan.RunId, missing.Count, plan.Chunks, _time.GetUtcNow() - plan.CreatedAt);
        await queue.SendAsync(missing.Select(c => new ChunkMessage(plan.RunId, c)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Well past a chunk's encoding time (2 minutes with images) and the queue's retries.</summary>
    private static readonly TimeSpan StalledAfter = TimeSpan.FromMinutes(15);

    /// <summary>The plan of the run the pointer names; null when none, or when its files are gone (expired: then there is no run to wait for).</summary>
    private async Task<CatalogRunPlan?> CurrentPlanAsync(ServingPointer pointer, CancellationToken cancellationToken)
        => pointer.CurrentRun is { } runId ? await _run.TryReadPlanAsync(runId, cancellationToken).ConfigureAwait(false) : null;

    /// <summary>
    /// Retires, reports and (for a new model) flips, once, if the run is still the current one; during an
    /// experiment, then starts the run of the next arm's set on the same snapshot.
    /// </summary>
    private async Task FinishRunAsync(string runId, CancellationToken cancellationToken)
    {
        CatalogRunPlan? chained;
        await using (var held = await gate.AcquireAsync(options.Value.LockWait, cancellationToken).ConfigureAwait(false))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
            var token = linked.Token;
            var (pointer, etag) = await pointers.ReadAsync(token).ConfigureAwait(false);
            if (pointer.CurrentRun != runId)
            {
                logger.LogInformation("Run {Run} is not current any more (replaced, or finished by another worker); nothing to finish", runId);
                return;
            }
            var plan = await _run.ReadPlanAsync(runId, token).ConfigureAwait(false);
            var request = plan.Request;
            var report = await _run.FinishAsync(runId, await sets.OpenAsync(request.CardSet, token).ConfigureAwait(false), token).ConfigureAwait(false);
            var next = pointer with { Catalog = new CatalogSnapshot(request.CatalogName, request.CatalogETag), CurrentRun = null, UpdatedAt = _time.GetUtcNow() };
            if (request.Activates) next = next with { ModelVersion = request.ModelVersion, CardSet = request.CardSet, PendingModel = null };
            // The report first: once the pointer moves on, a retry of this finish does nothing, so nothing would
            // write it. An arm's run reports beside the served set's (<name>.<version>.json), not over it.
            var armRun = request.CardSet != next.CardSet;
            var reportName = await Reports.WriteAsync(armRun ? ArmReportName(request.CatalogName, request.CardSet) : request.CatalogName, report, token).ConfigureAwait(false);
            chained = await PlanNextArmAsync(request, next, token).ConfigureAwait(false);
            if (chained is not null) next = next with { CurrentRun = chained.RunId };
            await pointers.WriteAsync(next, etag, token).ConfigureAwait(false);
            logger.LogInformation("Finished run {Run} of {Blob} into card set {Set}: {Fused} fused in {Chunks} chunks, {Skipped} unchanged, {Retired} retired, {Rejected} rejected rows; report {Report}{Flip}",
                runId, request.CatalogName, request.CardSet, report.Fused, report.Chunks, report.SkippedUnchanged, report.Retired, report.Rejected, reportName,
                request.Activates ? $"; serving pointer flipped to model {request.ModelVersion}" : "");
            if (report.Warning is not null) logger.LogWarning("Run {Run}: {Warning}", runId, report.Warning);
            if (chained is not null)
                logger.LogInformation("Planned run {Run} of {Blob} into arm card set {Set}: {Changed} changed items in {Chunks} chunks, {Skipped} unchanged",
                    chained.RunId, request.CatalogName, chained.Request.CardSet, chained.Changed, chained.Chunks, chained.SkippedUnchanged);
        }
        // Outside the lock: a run with no changed item finishes at once, and that finish takes the lock again.
        if (chained is not null) await SendOrFinishAsync(chained, resumed: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The run that encodes <paramref name="finished"/>'s snapshot into the next arm's own set; null when there is
    /// no experiment, every arm's set has it, a new model is being built (its finish comes first), or the
    /// snapshot was replaced meanwhile (the newer upload's run goes through every set in its turn).
    /// </summary>
    private async Task<CatalogRunPlan?> PlanNextArmAsync(RunRequest finished, ServingPointer after, CancellationToken cancellationToken)
    {
        if (after.PendingModel is not null || NextArmSet(finished.CardSet, after.CardSet) is not { } set) return null;
        if (!CatalogFormats.TryFromPath(finished.CatalogName, out var format)) return null;
        var blob = blobs.GetBlobContainerClient(CatalogContainer).GetBlobClient(finished.CatalogName);
        // The same retire guard as the served set's run on the same upload: an arm never loses items the served set keeps.
        var request = new RunRequest(finished.CatalogName, finished.CatalogETag, set, set, finished.AllowMassRetire, Activates: false);
        try
        {
            return await _run.PlanAsync(request, OpenPinned(blob, new ETag(finished.CatalogETag)), format, await sets.OpenAsync(set, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            logger.LogInformation("Did not encode {Blob} into arm card set {Set}: it was replaced meanwhile; the newer upload's run encodes every set", finished.CatalogName, set);
            return null;
        }
    }

    /// <summary>
    /// The arms' own sets (those of arms whose model is not the served one, named after their versions) in the
    /// order <c>Experiment__Arms</c> lists them: after the served set comes the first, after each the next.
    /// </summary>
    internal string? NextArmSet(string finishedSet, string? servedSet)
    {
        if (experiment?.Value.ToExperiment() is not { } split) return null;
        var own = split.Arms.Select(a => a.ModelVersion).Where(v => v != servedSet).ToList();
        var at = finishedSet == servedSet ? -1 : own.IndexOf(finishedSet);
        if (finishedSet != servedSet && at < 0) return null;
        return at + 1 < own.Count ? own[at + 1] : null;
    }

    /// <summary>Where an arm's run reports: <c>catalog-reports/&lt;name&gt;.&lt;version&gt;.json</c>, beside the served set's <c>&lt;name&gt;.json</c>.</summary>
    public static string ArmReportName(string catalogName, string cardSet)
        => Path.ChangeExtension(catalogName, null) + "." + cardSet + Path.GetExtension(catalogName);

    private async Task<string> WriteActivationFailureAsync(string version, string error, CancellationToken cancellationToken)
    {
        var name = $"{version}.activation.json";
        var json = BinaryData.FromObjectAsJson(new { version, error, failedAt = _time.GetUtcNow() }, new JsonSerializerOptions { WriteIndented = true });
        await blobs.GetBlobContainerClient(models.Value.Container).GetBlobClient(name).UploadAsync(json, overwrite: true, cancellationToken).ConfigureAwait(false);
        return $"{models.Value.Container}/{name}";
    }

    /// <summary>Opens the blob as it was at <paramref name="etag"/>: a read after a newer upload fails with 412.</summary>
    internal static Func<CancellationToken, Task<Stream>> OpenPinned(BlobClient blob, ETag etag)
        => ct => blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = new BlobRequestConditions { IfMatch = etag } }, ct);

    private IImageSource ImagesBeside(BlobClient catalog, string name)
    {
        // Paths (relative, or from the container's root) are blobs of the catalog's container; never the instance's disk.
        var container = blobs.GetBlobContainerClient(catalog.BlobContainerName);
        var beside = new BlobImageSource(container, BlobImageSource.FolderOf(name));
        return new RoutingImageSource(new HttpImageSource(http), local: beside, relative: beside);
    }
}

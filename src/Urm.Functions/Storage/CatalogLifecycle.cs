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
using Urm.Core.Features;
using Urm.Core.Models;
using Urm.Functions.Functions;
using Urm.Functions.Options;

namespace Urm.Functions.Storage;

/// <summary>
/// The catalog and model lifecycle across every instance (docs/DEPLOY.md, "Lifecycle"). Cards live in one
/// card set per model version; <c>models/serving.json</c> (<see cref="ServingPointer"/>) names the model and
/// set every instance serves (<see cref="ServingFollower"/>) and the catalog snapshot last encoded.
/// </summary>
/// <remarks>
/// <para>
/// A catalog upload is encoded into the served set. A new <c>models/active.json</c> builds the named
/// model's own set from the recorded catalog snapshot while the old set keeps serving (raw features come
/// from the shared feature store, so this is a re-fuse wherever the run lands), and only then flips the
/// pointer. A build that fails half-way leaves the pointer alone; its retry, on any instance, skips the
/// cards already in the set and finishes it. A package that cannot be served never becomes the pointer's
/// model, and the reason is written to <c>models/&lt;version&gt;.activation.json</c>.
/// </para>
/// <para>
/// Both run under <see cref="LifecycleLock"/>, one at a time across instances, so two snapshots never
/// retire each other's items and a build never misses an upload. Only transient failures throw (the
/// trigger retries them); permanent ones (no valid row, a broken package) are reported once.
/// </para>
/// </remarks>
public sealed class CatalogLifecycle(
    BlobServiceClient blobs, BlobModelPackageSource packages, ServingPointerStore pointers, LifecycleLock gate, ICardSets sets,
    CatalogTextEncoder text, IFeatureCache features, EncoderSessionOptions session, HttpClient http, ServingFollower follower,
    IOptions<LifecycleOptions> options, IOptions<ModelsOptions> models, ILogger<CatalogLifecycle> logger, TimeProvider? time = null)
{
    /// <summary>Blob metadata that marks an upload as meant to drop more than the retire limit of the live catalog.</summary>
    public const string AllowMassRetireMetadata = "urm_allow_mass_retire";

    /// <summary>The container catalog blobs are uploaded to (the trigger's path).</summary>
    public const string CatalogContainer = "catalog";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <param name="blob">The uploaded catalog (the trigger's client).</param>
    /// <param name="name">Its name inside its container, which names the report.</param>
    /// <returns>The run's report; null when nothing was encoded (not a catalog, no model yet, no valid row, replaced while read).</returns>
    public async Task<CatalogEncodingReport?> EncodeCatalogAsync(BlobClient blob, string name, CancellationToken cancellationToken)
    {
        if (!CatalogFormats.TryFromPath(name, out var format))
        {
            logger.LogInformation("Ignored {Blob}: not a catalog by its extension ({Supported})", name, CatalogFormats.SupportedExtensions);
            return null;
        }
        await using var held = await gate.AcquireAsync(options.Value.LockWait, cancellationToken).ConfigureAwait(false);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
        var token = run.Token;

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
        var reports = new BlobCatalogReports(blobs);
        if (pointer is not { ModelVersion: { } version, CardSet: { } set })
        {
            await pointers.WriteAsync(pointer with { Catalog = snapshot, UpdatedAt = _time.GetUtcNow() }, etag, token).ConfigureAwait(false);
            var notice = await reports.WriteFailureAsync(name, "No model is served yet, so no card was written. The catalog is recorded: it is encoded as soon as models/active.json names a model package.", _time.GetUtcNow(), token).ConfigureAwait(false);
            logger.LogWarning("Recorded {Blob} without encoding it: no model is served yet; report {Report}", name, notice);
            return null;
        }

        var massRetire = properties.Metadata.TryGetValue(AllowMassRetireMetadata, out var flag) && bool.TryParse(flag, out var allowed) && allowed;
        CatalogEncodingReport report;
        try
        {
            report = await EncodeIntoSetAsync(version, set, blob, name, properties.ETag, format, massRetire, token).ConfigureAwait(false);
        }
        catch (InvalidCatalogException e)
        {
            var failure = await reports.WriteFailureAsync(name, e.Message, _time.GetUtcNow(), token).ConfigureAwait(false);
            logger.LogWarning("Did not encode {Blob}: {Reason}; report {Report} (not retried: the same upload would fail again)", name, e.Message, failure);
            return null;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            // Replaced (or deleted) while read: what was fused stays valid for its content hash, nothing
            // was retired, and the newer upload's own run (waiting on the lock) finishes the job.
            logger.LogInformation("Stopped encoding {Blob}: it was replaced while being read; the newer upload's run encodes it", name);
            return null;
        }
        // Unchanged for a repeated event, so followers see nothing move.
        if (pointer.Catalog != snapshot)
            await pointers.WriteAsync(pointer with { Catalog = snapshot, UpdatedAt = _time.GetUtcNow() }, etag, token).ConfigureAwait(false);
        var reportName = await reports.WriteAsync(name, report, token).ConfigureAwait(false);
        logger.LogInformation("Encoded {Blob} into card set {Set}: {Fused} fused, {Skipped} unchanged, {Retired} retired, {Rejected} rejected rows; catalog version {Version}; report {Report}",
            name, set, report.Fused, report.SkippedUnchanged, report.Retired, report.Rejected, report.CatalogVersion, reportName);
        if (report.Warning is not null) logger.LogWarning("Encoding {Blob}: {Warning}", name, report.Warning);
        return report;
    }

    /// <summary>
    /// Makes the model <c>models/active.json</c> names the served one: builds its card set from the
    /// recorded catalog, then flips <c>models/serving.json</c>. Does nothing when it is served already.
    /// </summary>
    /// <returns>The served model version afterwards; null when there is none.</returns>
    public async Task<string?> ActivateModelAsync(CancellationToken cancellationToken)
    {
        var wanted = await packages.ReadActiveVersionAsync(cancellationToken).ConfigureAwait(false);
        var (current, _) = await pointers.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (wanted is null || current.ModelVersion == wanted)
        {
            await follower.RefreshAsync(cancellationToken).ConfigureAwait(false);
            return current.ModelVersion;
        }

        await using (var held = await gate.AcquireAsync(options.Value.LockWait, cancellationToken).ConfigureAwait(false))
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
            var token = run.Token;
            // Read again under the lock: another instance may have built it meanwhile, or a newer pointer arrived.
            wanted = await packages.ReadActiveVersionAsync(token).ConfigureAwait(false);
            var (pointer, etag) = await pointers.ReadAsync(token).ConfigureAwait(false);
            if (wanted is not null && pointer.ModelVersion != wanted)
                await BuildAndFlipAsync(wanted, pointer, etag, token).ConfigureAwait(false);
        }
        await follower.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return (await pointers.ReadAsync(cancellationToken).ConfigureAwait(false)).Pointer.ModelVersion;
    }

    private async Task BuildAndFlipAsync(string version, ServingPointer pointer, ETag? etag, CancellationToken cancellationToken)
    {
        var set = version;
        var snapshot = pointer.Catalog;
        try
        {
            if (snapshot is not null)
            {
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
                // The snapshot as it is now: a newer upload's run waits on the lock and re-encodes into this set after the flip.
                var report = await EncodeIntoSetAsync(version, set, blob, snapshot.Name, properties.ETag, format, retireBeyondLimit: false, cancellationToken).ConfigureAwait(false);
                snapshot = new CatalogSnapshot(snapshot.Name, properties.ETag.ToString());
                logger.LogInformation("Built card set {Set} for model {Version} from {Blob}: {Fused} fused ({Hits} from stored features), {Skipped} already there, {Rejected} rejected rows",
                    set, version, snapshot.Name, report.Fused, report.Extraction.CacheHits, report.SkippedUnchanged, report.Rejected);
            }
            else
            {
                // No catalog yet: the set starts empty, and the first upload fills it. Loading the package still proves it serves.
                var package = await packages.DownloadAsync(version, cancellationToken).ConfigureAwait(false);
                using var staging = new ModelHost(new ModelHostOptions(session));
                await staging.ActivateAsync(package.Directory, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ModelPackageException or InvalidCatalogException or FormatException)
        {
            var report = await WriteActivationFailureAsync(version, e.Message, cancellationToken).ConfigureAwait(false);
            logger.LogError("Model {Version} was not activated: {Reason}; report {Report}. Model {Served} keeps serving.", version, e.Message, report, pointer.ModelVersion ?? "(none)");
            return;
        }

        await pointers.WriteAsync(new ServingPointer(version, set, snapshot, _time.GetUtcNow()), etag, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Serving pointer flipped to model {Version} (card set {Set}); every instance follows within {Interval}", version, set, options.Value.PollInterval);
    }

    /// <summary>Encodes one catalog snapshot into one card set with one model, loaded for this run alone.</summary>
    private async Task<CatalogEncodingReport> EncodeIntoSetAsync(
        string version, string set, BlobClient blob, string name, ETag etag, CatalogFormat format, bool retireBeyondLimit, CancellationToken cancellationToken)
    {
        var package = await packages.DownloadAsync(version, cancellationToken).ConfigureAwait(false);
        // Its own host: the set is fused by exactly this model, whatever this instance serves meanwhile.
        using var staging = new ModelHost(new ModelHostOptions(session));
        await staging.ActivateAsync(package.Directory, cancellationToken).ConfigureAwait(false);
        var store = await sets.OpenAsync(set, cancellationToken).ConfigureAwait(false);
        using var images = package.Manifest.Modalities.Contains("image")
            ? ImageEncoder.Load(ImagesBeside(blob, name), new ImageEncoderOptions(Session: session with { IntraOpThreads = 0 }))
            : null;
        var encoder = new CatalogEncoder(store, staging, text, images, features);
        return await encoder.EncodeAsync(OpenPinned(blob, etag), format, retireBeyondLimit, cancellationToken).ConfigureAwait(false);
    }

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

using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Urm.Core.Features;
using Urm.Core.Features.Cache;

namespace Urm.Azure.Blobs;

/// <summary>
/// Raw item features shared by every instance through a blob container (the <c>features</c> container),
/// one blob per content hash (<c>v1/&lt;hash&gt;</c>, holding a <see cref="FeatureRecord"/>), read
/// through the instance's own local cache. A fresh instance, whose disk is empty, fetches what any
/// other instance encoded instead of encoding it again, and can re-fuse any card.
/// </summary>
/// <remarks>
/// <see cref="TryGet"/> is local only: a round trip per item would cost more than it saves, so
/// <see cref="PrefetchAsync"/> fetches a batch's hashes first. Features put here are uploaded by
/// <see cref="FlushAsync"/>; <see cref="Flush"/> cannot wait on the network and flushes the local cache only.
/// The container is not created here: the deployment creates it.
/// </remarks>
public sealed class BlobFeatureCache : IFeatureCache
{
    /// <summary>Starts every blob name; a change to <see cref="FeatureRecord"/> moves to a new prefix rather than misread the blobs already there.</summary>
    public const string Prefix = "v1/";

    public const int DefaultConcurrency = 16;

    private readonly IFeatureCache _local;
    private readonly BlobContainerClient _container;
    private readonly int _concurrency;
    private readonly ILogger _logger;
    private readonly string _prefix;
    private readonly ConcurrentQueue<ItemFeatures> _pending = new();

    /// <param name="local">The instance's own cache (its <see cref="FileFeatureCache"/>), which keeps what was fetched.</param>
    /// <param name="concurrency">Downloads, and uploads, in flight at a time.</param>
    /// <param name="variant">Features made with other encoder settings (int8 text: "int8") go under <c>v1-&lt;variant&gt;/</c>,
    /// apart from the default ones under <see cref="Prefix"/>: the blobs are keyed by content alone.</param>
    public BlobFeatureCache(IFeatureCache local, BlobContainerClient container, int concurrency = DefaultConcurrency, ILogger<BlobFeatureCache>? logger = null, string? variant = null)
    {
        if (variant is not null && (variant.Length == 0 || !variant.All(char.IsAsciiLetterOrDigit)))
            throw new ArgumentException($"'{variant}' is not a feature variant: ASCII letters and digits only.", nameof(variant));
        _prefix = variant is null ? Prefix : Prefix.TrimEnd('/') + "-" + variant + "/";
        _local = local ?? throw new ArgumentNullException(nameof(local));
        _container = container ?? throw new ArgumentNullException(nameof(container));
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        _concurrency = concurrency;
        _logger = logger ?? NullLogger<BlobFeatureCache>.Instance;
    }

    public int Count => _local.Count;

    /// <summary>The blob that holds the features of <paramref name="contentHash"/>.</summary>
    /// <exception cref="ArgumentException">The hash has characters other than ASCII letters, digits, '+', '_' and '-', so it could name another blob, or none.</exception>
    public static string BlobName(string contentHash) => BlobName(Prefix, contentHash);

    private string Blob(string contentHash) => BlobName(_prefix, contentHash);

    private static string BlobName(string prefix, string contentHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        foreach (var c in contentHash)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '_' or '-'))
                throw new ArgumentException($"'{contentHash}' is not a content hash: only ASCII letters, digits, '+', '_' and '-' can name a feature blob.", nameof(contentHash));
        return prefix + contentHash;
    }

    /// <summary>
    /// Downloads the features of every hash the local cache lacks into it. A hash with no blob stays a
    /// miss; so does a blob that is not a record of its hash (logged), which the next upload of the
    /// item's features then replaces.
    /// </summary>
    /// <exception cref="ArgumentException">A hash cannot name a blob (nothing is downloaded).</exception>
    public async ValueTask PrefetchAsync(IReadOnlyCollection<string> contentHashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contentHashes);
        // Every hash named before any is looked up: a bad one refuses the whole call, not half of it.
        var wanted = contentHashes.Distinct(StringComparer.Ordinal)
            .Select(hash => (Hash: hash, Blob: Blob(hash)))
            .ToList()
            .Where(w => !_local.TryGet(w.Hash, out _))
            .ToList();
        if (wanted.Count == 0) return;

        var found = new ConcurrentQueue<ItemFeatures>();
        await Parallel.ForEachAsync(wanted, Options(cancellationToken), async (w, token) =>
        {
            if (await DownloadAsync(w.Hash, w.Blob, token).ConfigureAwait(false) is { } features) found.Enqueue(features);
        }).ConfigureAwait(false);
        // Put here, one at a time, rather than from the downloads: the local cache need not take concurrent writers.
        foreach (var features in found) _local.Put(features);
    }

    public bool TryGet(string contentHash, [MaybeNullWhen(false)] out ItemFeatures features) => _local.TryGet(contentHash, out features);

    /// <summary>Puts the features in the local cache; <see cref="FlushAsync"/> uploads them.</summary>
    public void Put(ItemFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        // Refused here, where the bad hash comes from, rather than at the upload.
        _ = Blob(features.ContentHash);
        _local.Put(features);
        _pending.Enqueue(features);
    }

    /// <summary>Flushes the local cache only: what was put since the last <see cref="FlushAsync"/> is not uploaded yet.</summary>
    public void Flush() => _local.Flush();

    /// <summary>Flushes the local cache, then uploads what was put since the last call.</summary>
    /// <remarks>Uploads that fail stay pending for the next call, and the failure is thrown.</remarks>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _local.FlushAsync(cancellationToken).ConfigureAwait(false);
        var latest = new Dictionary<string, ItemFeatures>(StringComparer.Ordinal);
        while (_pending.TryDequeue(out var features)) latest[features.ContentHash] = features;
        if (latest.Count == 0) return;

        var uploads = latest.Values.ToArray();
        var done = new bool[uploads.Length];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, uploads.Length), Options(cancellationToken), async (i, token) =>
            {
                // Overwritten, never conditional: the same hash is the same content, whoever wrote it first.
                await _container.GetBlobClient(Blob(uploads[i].ContentHash))
                    .UploadAsync(BinaryData.FromBytes(FeatureRecord.Encode(uploads[i])), overwrite: true, token).ConfigureAwait(false);
                done[i] = true;
            }).ConfigureAwait(false);
        }
        catch
        {
            for (var i = 0; i < uploads.Length; i++)
                if (!done[i]) _pending.Enqueue(uploads[i]);
            throw;
        }
    }

    private async Task<ItemFeatures?> DownloadAsync(string hash, string blob, CancellationToken cancellationToken)
    {
        BinaryData content;
        try
        {
            content = (await _container.GetBlobClient(blob).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        try
        {
            var features = FeatureRecord.Decode(content.ToArray());
            if (features.ContentHash == hash) return features;
            _logger.LogWarning("Feature blob {Container}/{Blob} holds the features of {Other}; the item is encoded again and the blob replaced",
                _container.Name, blob, features.ContentHash);
        }
        catch (InvalidDataException e)
        {
            _logger.LogWarning(e, "Feature blob {Container}/{Blob} is not a feature record; the item is encoded again and the blob replaced", _container.Name, blob);
        }
        return null;
    }

    private ParallelOptions Options(CancellationToken cancellationToken)
        => new() { MaxDegreeOfParallelism = _concurrency, CancellationToken = cancellationToken };
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Models;

namespace Urm.Core.Cards;

/// <summary>
/// Catalog snapshot -> card store, incrementally: items whose content hash and model version are already
/// stored are skipped before feature extraction; the rest go through the feature extractor (and its
/// cache) and the active model's fuser, and are upserted in batches; stored items absent from the
/// snapshot are retired. A bad row is reported and skipped; it never stops the run.
/// </summary>
public sealed class CatalogEncoder
{
    /// <summary>Appended to the content hash stamped on a card whose image failed (a timeout, a picture not
    /// uploaded yet): the stamp then never matches, so the next run encodes the item again and retries
    /// the image, where an unchanged item would otherwise keep its image-less card for good.</summary>
    public const string ImagePendingSuffix = "+image-pending";

    private readonly ICardStore _store;
    private readonly ModelHost _models;
    private readonly ITextEncoder _text;
    private readonly IImageEncoder? _images;
    private readonly IFeatureCache _cache;
    private readonly CatalogEncoderOptions _options;
    private readonly TimeProvider _time;

    public CatalogEncoder(ICardStore store, ModelHost models, ITextEncoder text, IImageEncoder? images, IFeatureCache cache, CatalogEncoderOptions? options = null, TimeProvider? time = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _models = models ?? throw new ArgumentNullException(nameof(models));
        _text = text ?? throw new ArgumentNullException(nameof(text));
        _images = images;
        _cache = cache ?? throw new ArgumentNullException(nameof(cache));
        _options = options ?? CatalogEncoderOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.UpsertBatchSize, 1);
        if (_options.MaxRetireShare is < 0 or > 1 || double.IsNaN(_options.MaxRetireShare))
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxRetireShare, "MaxRetireShare is a share of the live catalog, from 0 to 1 (1 = no limit).");
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Encodes one full catalog snapshot, retiring at most <see cref="CatalogEncoderOptions.MaxRetireShare"/> of the live catalog.</summary>
    /// <param name="open">Opens the snapshot; called twice (see <see cref="CatalogReader"/>).</param>
    /// <exception cref="InvalidCatalogException">The catalog has no valid row; nothing is written or retired.</exception>
    public Task<CatalogEncodingReport> EncodeAsync(Func<CancellationToken, Task<Stream>> open, CatalogFormat format, CancellationToken cancellationToken)
        => EncodeAsync(open, format, retireBeyondLimit: false, cancellationToken);

    /// <inheritdoc cref="EncodeAsync(Func{CancellationToken, Task{Stream}}, CatalogFormat, CancellationToken)"/>
    /// <param name="retireBeyondLimit">The snapshot is meant to drop more than the retire limit: retire every absent item.</param>
    public async Task<CatalogEncodingReport> EncodeAsync(
        Func<CancellationToken, Task<Stream>> open, CatalogFormat format, bool retireBeyondLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        var clock = Stopwatch.StartNew();
        // One lease for the whole run: every card it writes is stamped with, and fused by, the same model.
        using var model = _models.Acquire();
        var read = new ReadReport(_options.MaxDetailedErrors);
        var problems = new ImageProblemLog();
        var extractor = new ItemFeatureExtractor(_text, _images, _cache, problems);
        var stamps = await _store.GetStampsAsync(cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var skipped = 0;
        // The extractor yields in input order, so items queued on the way in pair up with features on the way out.
        var pending = new ConcurrentQueue<CatalogItem>();

        async IAsyncEnumerable<(CatalogItem Item, string ContentHash)> Changed([EnumeratorCancellation] CancellationToken token)
        {
            await foreach (var item in CatalogReader.ReadAsync(open, format, read, token).ConfigureAwait(false))
            {
                seen.Add(item.Id);
                var hash = ContentHash.Compute(item);
                if (stamps.TryGetValue(item.Id, out var stamp) && stamp.ContentHash == hash && stamp.ModelVersion == model.Version)
                {
                    skipped++;
                    continue;
                }
                pending.Enqueue(item);
                yield return (item, hash);
            }
        }

        var fused = await StoreAsync(model, extractor, Changed(cancellationToken), pending, cancellationToken).ConfigureAwait(false);

        // Only after the whole snapshot was read: a run that fails half-way retires nothing.
        var absent = stamps.Keys.Where(id => !seen.Contains(id)).ToList();
        var withheld = absent.Count > _options.MaxRetireShare * stamps.Count && !retireBeyondLimit;
        if (absent.Count > 0 && !withheld) await _store.RetireAsync(absent, cancellationToken).ConfigureAwait(false);

        return new CatalogEncodingReport(
            read.RowsRead, read.Accepted, read.Rejected, read.Errors.ToList(), skipped, fused, withheld ? 0 : absent.Count,
            problems.Problems.ToList(), extractor.Counts, model.Version,
            await _store.GetCatalogVersionAsync(cancellationToken).ConfigureAwait(false), clock.Elapsed.TotalSeconds)
        {
            RetireWithheld = withheld ? absent.Count : 0,
            Warning = withheld
                ? $"{absent.Count:N0} of the {stamps.Count:N0} live items are absent from this snapshot, more than the retire limit " +
                  $"({_options.MaxRetireShare * 100:0.#} % of the live catalog), so none was retired: a partial export would otherwise empty the shop. " +
                  "If the snapshot is meant to drop them, encode it again marked so (blob metadata urm_allow_mass_retire=true, or urm encode --allow-mass-retire)."
                : null,
        };
    }

    /// <summary>
    /// Encodes items already known to be new or changed (one chunk of a chunked run, <see cref="Runs.ChunkedCatalogRun"/>):
    /// features, fusion, upsert; no diff against the store and nothing retired.
    /// </summary>
    public async Task<ChunkEncoding> EncodeChangedAsync(IReadOnlyList<CatalogItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        using var model = _models.Acquire();
        var problems = new ImageProblemLog();
        var extractor = new ItemFeatureExtractor(_text, _images, _cache, problems);
        var pending = new ConcurrentQueue<CatalogItem>();

        async IAsyncEnumerable<(CatalogItem Item, string ContentHash)> All([EnumeratorCancellation] CancellationToken token)
        {
            foreach (var item in items)
            {
                token.ThrowIfCancellationRequested();
                pending.Enqueue(item);
                yield return (item, ContentHash.Compute(item));
            }
            await Task.CompletedTask.ConfigureAwait(false);
        }

        var fused = await StoreAsync(model, extractor, All(cancellationToken), pending, cancellationToken).ConfigureAwait(false);
        return new ChunkEncoding(fused, problems.Problems.ToList(), extractor.Counts, model.Version);
    }

    private async Task<int> StoreAsync(
        ModelLease model, ItemFeatureExtractor extractor, IAsyncEnumerable<(CatalogItem Item, string ContentHash)> changed,
        ConcurrentQueue<CatalogItem> pending, CancellationToken cancellationToken)
    {
        var fused = 0;
        var batch = new List<(CatalogItem Item, ItemFeatures Features)>(_options.UpsertBatchSize);
        await foreach (var features in extractor.ExtractAsync(changed, cancellationToken).ConfigureAwait(false))
        {
            if (!pending.TryDequeue(out var item)) throw new InvalidOperationException("The feature extractor yielded more items than it was given.");
            batch.Add((item, features));
            if (batch.Count < _options.UpsertBatchSize) continue;
            fused += await FuseAndStoreAsync(model, batch, cancellationToken).ConfigureAwait(false);
            batch.Clear();
        }
        if (batch.Count > 0) fused += await FuseAndStoreAsync(model, batch, cancellationToken).ConfigureAwait(false);
        return fused;
    }

    private async Task<int> FuseAndStoreAsync(ModelLease model, List<(CatalogItem Item, ItemFeatures Features)> batch, CancellationToken cancellationToken)
    {
        var (cards, lenders) = model.Fuser.FuseWithLenders(batch.Select(b => b.Features).ToList(), cancellationToken);
        var d = model.Fuser.Dimension;
        var now = _time.GetUtcNow();
        var documents = batch.Select((b, i) => new CardDocument(
            b.Item.Id, b.Item.Title, KeyPoints.Of(b.Item), b.Item.Category, b.Item.Brand, b.Item.Price, b.Item.Available,
            ImageFailed(b.Item, b.Features) ? b.Features.ContentHash + ImagePendingSuffix : b.Features.ContentHash,
            model.Version, cards[(i * d)..((i + 1) * d)], now, Retired: false, Lender: lenders[i])).ToList();
        await _store.UpsertAsync(documents, cancellationToken).ConfigureAwait(false);
        return documents.Count;
    }

    private bool ImageFailed(CatalogItem item, ItemFeatures features)
        => _images is not null && !string.IsNullOrWhiteSpace(item.Image) && features.Image is null;
}

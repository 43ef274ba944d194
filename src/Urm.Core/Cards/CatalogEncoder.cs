using System.Runtime.CompilerServices;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;
using Urm.Core.Models.Runtime;

namespace Urm.Core.Cards;

/// <summary>
/// Changed catalog items -> cards in one card store: the feature extractor (and its cache), the model's
/// fuser, upserts in batches. <see cref="Runs.ChunkedCatalogRun"/> decides which items changed (content
/// hash and model version against the store's stamps) and retires what a snapshot lacks.
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
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Encodes items already known to be new or changed (one chunk of a <see cref="Runs.ChunkedCatalogRun"/>,
    /// which diffs the snapshot and retires): features, fusion, upsert.
    /// </summary>
    /// <param name="mayWrite">Asked before each store write; false stops the chunk with <see cref="Runs.RunReplacedException"/>.</param>
    public async Task<ChunkEncoding> EncodeChangedAsync(IReadOnlyList<CatalogItem> items, CancellationToken cancellationToken, Func<CancellationToken, Task<bool>>? mayWrite = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        using var model = _models.Acquire();
        var problems = new ImageProblemLog();
        var extractor = new ItemFeatureExtractor(_text, _images, _cache, problems);

        async IAsyncEnumerable<(CatalogItem Item, string ContentHash)> All([EnumeratorCancellation] CancellationToken token)
        {
            foreach (var item in items)
            {
                token.ThrowIfCancellationRequested();
                yield return (item, ContentHash.Compute(item));
            }
            await Task.CompletedTask.ConfigureAwait(false);
        }

        var fused = await StoreAsync(model, extractor, All(cancellationToken), mayWrite, cancellationToken).ConfigureAwait(false);
        return new ChunkEncoding(fused, problems.Problems.ToList(), extractor.Counts, model.Version);
    }

    private async Task<int> StoreAsync(
        ModelLease model, ItemFeatureExtractor extractor, IAsyncEnumerable<(CatalogItem Item, string ContentHash)> changed,
        Func<CancellationToken, Task<bool>>? mayWrite, CancellationToken cancellationToken)
    {
        var fused = 0;
        var batch = new List<(CatalogItem Item, ItemFeatures Features)>(_options.UpsertBatchSize);
        await foreach (var pair in extractor.ExtractAsync(changed, cancellationToken).ConfigureAwait(false))
        {
            batch.Add(pair);
            if (batch.Count < _options.UpsertBatchSize) continue;
            fused += await FuseAndStoreAsync(model, batch, mayWrite, cancellationToken).ConfigureAwait(false);
            batch.Clear();
        }
        if (batch.Count > 0) fused += await FuseAndStoreAsync(model, batch, mayWrite, cancellationToken).ConfigureAwait(false);
        return fused;
    }

    private async Task<int> FuseAndStoreAsync(
        ModelLease model, List<(CatalogItem Item, ItemFeatures Features)> batch, Func<CancellationToken, Task<bool>>? mayWrite, CancellationToken cancellationToken)
    {
        var (cards, lenders) = model.Fuser.FuseWithLenders(batch.Select(b => b.Features).ToList(), cancellationToken);
        var d = model.Fuser.Dimension;
        var now = _time.GetUtcNow();
        var documents = batch.Select((b, i) => new CardDocument(
            b.Item.Id, b.Item.Title, KeyPoints.Of(b.Item), b.Item.Category, b.Item.Brand, b.Item.Price, b.Item.Available,
            ImageFailed(b.Item, b.Features) ? b.Features.ContentHash + ImagePendingSuffix : b.Features.ContentHash,
            model.Version, cards[(i * d)..((i + 1) * d)], now, Retired: false, Lender: lenders[i],
            Text: CardText.Quantize(b.Features.Text))).ToList();
        if (mayWrite is not null && !await mayWrite(cancellationToken).ConfigureAwait(false)) throw new Runs.RunReplacedException();
        await _store.UpsertAsync(documents, cancellationToken).ConfigureAwait(false);
        return documents.Count;
    }

    private bool ImageFailed(CatalogItem item, ItemFeatures features)
        => _images is not null && !string.IsNullOrWhiteSpace(item.Image) && features.Image is null;
}

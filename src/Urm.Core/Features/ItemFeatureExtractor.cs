using System.Runtime.CompilerServices;
using Urm.Core.Catalog;
using Urm.Core.Features.Attributes;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;

namespace Urm.Core.Features;

/// <summary>
/// Catalog rows in, features out, in input order: cached features for content seen before, the
/// encoders for the rest, in batches, with text and images encoded at the same time.
/// </summary>
public sealed class ItemFeatureExtractor
{
    private readonly ITextEncoder _text;
    private readonly IImageEncoder? _images;
    private readonly IFeatureCache _cache;
    private readonly IImageProblemSink? _problems;
    private readonly int _batchSize;
    private int _items, _cacheHits, _textsEncoded, _imagesEncoded, _imageProblems;

    /// <param name="images">Null leaves every item without an image vector, and reports nothing.</param>
    public ItemFeatureExtractor(ITextEncoder text, IImageEncoder? images, IFeatureCache cache, IImageProblemSink? problems = null, ItemFeatureExtractorOptions? options = null)
    {
        _text = text ?? throw new ArgumentNullException(nameof(text));
        _images = images;
        _cache = cache ?? throw new ArgumentNullException(nameof(cache));
        _problems = problems;
        _batchSize = (options ?? ItemFeatureExtractorOptions.Default).BatchSize;
        if (_batchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be at least 1.");
    }

    public ExtractionCounts Counts => new(
        Volatile.Read(ref _items), Volatile.Read(ref _cacheHits), Volatile.Read(ref _textsEncoded),
        Volatile.Read(ref _imagesEncoded), Volatile.Read(ref _imageProblems));

    /// <returns>Each row's item with its features, in input order.</returns>
    public async IAsyncEnumerable<(CatalogItem Item, ItemFeatures Features)> ExtractAsync(
        IAsyncEnumerable<(CatalogItem Item, string ContentHash)> rows,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var batch = new List<(CatalogItem Item, string ContentHash)>(_batchSize);
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            batch.Add(row);
            if (batch.Count < _batchSize) continue;
            var extracted = await ExtractBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++) yield return (batch[i].Item, extracted[i]);
            batch.Clear();
        }
        if (batch.Count > 0)
        {
            var extracted = await ExtractBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++) yield return (batch[i].Item, extracted[i]);
        }
    }

    private async Task<ItemFeatures[]> ExtractBatchAsync(List<(CatalogItem Item, string ContentHash)> batch, CancellationToken cancellationToken)
    {
        var results = new ItemFeatures?[batch.Count];
        // Checked before the prefetch, which must not be handed a null or empty hash.
        foreach (var (item, hash) in batch)
        {
            ArgumentNullException.ThrowIfNull(item);
            ArgumentException.ThrowIfNullOrEmpty(hash);
        }
        await _cache.PrefetchAsync(batch.Select(row => row.ContentHash).ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);

        // Rows in one batch that share a hash are encoded once: first row by hash, then the others.
        var misses = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            var (item, hash) = batch[i];
            if (_cache.TryGet(hash, out var cached))
            {
                results[i] = cached.Id == item.Id ? cached : cached with { Id = item.Id };
                Interlocked.Increment(ref _cacheHits);
            }
            else if (misses.TryGetValue(hash, out var rowsWithHash)) rowsWithHash.Add(i);
            else misses[hash] = [i];
        }

        if (misses.Count > 0)
        {
            var firsts = misses.Values.Select(rowsWithHash => rowsWithHash[0]).ToArray();
            var texts = firsts.Select(i => ItemText.Build(batch[i].Item)).ToArray();
            var withImage = _images is null ? [] : firsts.Where(i => !string.IsNullOrWhiteSpace(batch[i].Item.Image)).ToArray();

            // Text is CPU-bound in ONNX Runtime; images mostly wait on IO at first: run them side by side.
            var textTask = Task.Run(() => _text.Encode(texts), cancellationToken);
            var imageTask = withImage.Length == 0
                ? Task.FromResult(Array.Empty<ImageEncoding>())
                : _images!.EncodeAsync(withImage.Select(i => batch[i].Item.Image!).ToArray(), cancellationToken);
            await Task.WhenAll(textTask, imageTask).ConfigureAwait(false);
            var textVectors = await textTask.ConfigureAwait(false);
            var imageResults = await imageTask.ConfigureAwait(false);
            Interlocked.Add(ref _textsEncoded, texts.Length);

            var images = new Dictionary<int, ImageEncoding>(withImage.Length);
            for (var k = 0; k < withImage.Length; k++) images[withImage[k]] = imageResults[k];

            for (var k = 0; k < firsts.Length; k++)
            {
                var first = firsts[k];
                var (item, hash) = batch[first];
                float[]? image = null;
                var cacheable = true;
                if (images.TryGetValue(first, out var encoding))
                {
                    if (encoding.Vector is not null)
                    {
                        image = encoding.Vector;
                        Interlocked.Increment(ref _imagesEncoded);
                    }
                    else if (encoding.Problem is not null)
                    {
                        _problems?.Report(item.Id, encoding.Problem);
                        Interlocked.Increment(ref _imageProblems);
                        // Not cached: the next run retries the image (a timeout or a fixed upload
                        // must not stick to the content hash), at the price of re-encoding the text.
                        cacheable = false;
                    }
                }
                var features = new ItemFeatures(item.Id, hash, textVectors[k], image, AttributeTokens.For(item), PriceBucket.Of(item.Price));
                if (cacheable) _cache.Put(features);
                foreach (var row in misses[hash])
                    results[row] = row == first ? features : features with { Id = batch[row].Item.Id };
            }
            await _cache.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Add(ref _items, batch.Count);
        return results!;
    }
}

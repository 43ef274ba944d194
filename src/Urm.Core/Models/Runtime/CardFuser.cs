using Microsoft.ML.OnnxRuntime;
using Urm.Core.Features;
using Urm.Core.Models.Package;
using Urm.Core.Retrieval;

namespace Urm.Core.Models.Runtime;

/// <summary>Cards fused together, row-major [n, DCard], and each card's lender (see <see cref="CardFuser.FuseWithLenders"/>).</summary>
public sealed record FusedCards(float[] Vectors, string?[] Lenders);

/// <summary>
/// Raw item features -> cards through the package's fusion.onnx, in batches. A card is L2-normalised,
/// <see cref="ModelSizes.DCard"/> floats; items outside the manifest's idTable get a content-only card,
/// or, where the package was trained to, one that borrows the ID embedding of their lender, the item with
/// one whose text is closest; where the graph names lenders, they come with the cards.
/// </summary>
public sealed class CardFuser
{
    private readonly ModelPackage _package;
    private readonly ModelSizes _sizes;
    private readonly int _batchSize;
    private readonly string[] _outputs;
    // idTable value -> item id, where the graph names each card's lender; null for packages exported before.
    private readonly string?[]? _itemOfId;

    /// <param name="batchSize">Items per fusion.onnx run: bounds the input buffers (about 3.6 KB per item).</param>
    public CardFuser(ModelPackage package, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _package = package;
        _sizes = package.Sizes;
        _batchSize = batchSize;
        if (package.Fusion.OutputMetadata.ContainsKey(GraphContracts.Lender))
        {
            _outputs = [GraphContracts.Card, GraphContracts.Lender];
            _itemOfId = new string?[_sizes.IdCount + 1];
            foreach (var (id, index) in package.Manifest.IdTable)
                if (index >= 1 && index <= _sizes.IdCount) _itemOfId[index] = id;
        }
        else
        {
            _outputs = [GraphContracts.Card];
        }
    }

    public int Dimension => _sizes.DCard;

    /// <summary>Cards of <paramref name="items"/>, row-major [items.Count, DCard], in the same order.</summary>
    /// <exception cref="ArgumentException">An item's features do not fit the model's sizes.</exception>
    public float[] Fuse(IReadOnlyList<ItemFeatures> items, CancellationToken cancellationToken = default)
        => FuseWithLenders(items, cancellationToken).Vectors;

    /// <summary>
    /// Cards of <paramref name="items"/> as <see cref="Fuse"/> gives them, and for each the item id of its
    /// lender: for an item new since training, the item with an ID embedding whose text is closest (whose ID
    /// embedding the card also borrows where the package was trained to); null for an item with its own ID
    /// embedding or without text, and for
    /// every card of a package whose fusion.onnx does not name lenders. The served co-occurrence term
    /// treats a new item as its lender (<see cref="CoOccurrenceTable.BoostRows"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An item's features do not fit the model's sizes.</exception>
    public FusedCards FuseWithLenders(IReadOnlyList<ItemFeatures> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (var item in items) Check(item);
        var cards = new float[items.Count * _sizes.DCard];
        var lenders = new string?[items.Count];
        for (var start = 0; start < items.Count; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = Math.Min(_batchSize, items.Count - start);
            FuseBatch(items, start, n, cards.AsSpan(start * _sizes.DCard, n * _sizes.DCard), lenders.AsSpan(start, n));
        }
        return new FusedCards(cards, lenders);
    }

    /// <summary>The card matrix of <paramref name="items"/> (fused here), ready for <see cref="SetRetriever"/>.</summary>
    public CardMatrix FuseMatrix(IReadOnlyList<ItemFeatures> items, CancellationToken cancellationToken = default)
    {
        var fused = FuseWithLenders(items, cancellationToken);
        return new CardMatrix(items.Select(i => i.Id).ToArray(), fused.Vectors, _sizes.DCard, fused.Lenders);
    }

    /// <summary>A card matrix from ids and cards fused earlier (e.g. read back from the card store).</summary>
    public CardMatrix Matrix(IReadOnlyList<string> ids, float[] cards, IReadOnlyList<string?>? lenders = null) => new(ids, cards, _sizes.DCard, lenders);

    private void FuseBatch(IReadOnlyList<ItemFeatures> items, int start, int n, Span<float> destination, Span<string?> lenders)
    {
        int textDim = _sizes.TextDim, imageDim = _sizes.ImageDim, t = _sizes.AttributeTokens;
        var text = new float[n * textDim];
        var image = new float[n * imageDim];
        var imageMask = new float[n];
        var tokens = new long[n * t];
        var price = new long[n];
        var idIndex = new long[n];
        for (var i = 0; i < n; i++)
        {
            var item = items[start + i];
            item.Text.CopyTo(text, i * textDim);
            if (item.Image is { } pixels)
            {
                pixels.CopyTo(image, i * imageDim);
                imageMask[i] = 1f;
            }
            // The graph takes any T, but training saw T slots: more tokens than that would be a
            // distribution the model never met, fewer are padded with 0 (padding).
            var kept = Math.Min(item.AttributeTokens.Length, t);
            for (var j = 0; j < kept; j++) tokens[i * t + j] = item.AttributeTokens[j];
            price[i] = item.PriceBucket;
            idIndex[i] = _package.Manifest.IdTable.TryGetValue(item.Id, out var index) ? index : 0;
        }

        using var textValue = OrtValue.CreateTensorValueFromMemory(text, [n, textDim]);
        using var imageValue = OrtValue.CreateTensorValueFromMemory(image, [n, imageDim]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(imageMask, [n]);
        using var tokenValue = OrtValue.CreateTensorValueFromMemory(tokens, [n, t]);
        using var priceValue = OrtValue.CreateTensorValueFromMemory(price, [n]);
        using var idValue = OrtValue.CreateTensorValueFromMemory(idIndex, [n]);
        var inputs = new Dictionary<string, OrtValue>(StringComparer.Ordinal)
        {
            [GraphContracts.Text] = textValue,
            [GraphContracts.Image] = imageValue,
            [GraphContracts.ImageMask] = maskValue,
            [GraphContracts.AttrTokens] = tokenValue,
            [GraphContracts.PriceBucket] = priceValue,
            [GraphContracts.IdIndex] = idValue,
        };
        using var runOptions = new RunOptions();
        using var results = _package.Fusion.Run(runOptions, inputs, _outputs);
        results[0].GetTensorDataAsSpan<float>().CopyTo(destination);
        if (_itemOfId is null) return;
        var lender = results[1].GetTensorDataAsSpan<long>();
        for (var i = 0; i < n; i++)
            lenders[i] = lender[i] > 0 && lender[i] < _itemOfId.Length ? _itemOfId[lender[i]] : null;
    }

    private void Check(ItemFeatures item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Text.Length != _sizes.TextDim)
            throw new ArgumentException($"Item '{item.Id}' has {item.Text.Length} text values; model {_package.Version} takes sizes.textDim = {_sizes.TextDim}.", nameof(item));
        if (item.Image is { } image && image.Length != _sizes.ImageDim)
            throw new ArgumentException($"Item '{item.Id}' has {image.Length} image values; model {_package.Version} takes sizes.imageDim = {_sizes.ImageDim}.", nameof(item));
        // Out-of-range ids would make the graph's embedding lookup fail for the whole batch, with an
        // ONNX Runtime message that names no item.
        foreach (var token in item.AttributeTokens)
            if (token < 0 || token >= _sizes.AttributeBuckets)
                throw new ArgumentException($"Item '{item.Id}' has attribute token {token}, outside [0, {_sizes.AttributeBuckets}) (sizes.attributeBuckets of model {_package.Version}): the features were hashed for another model.", nameof(item));
        if (item.PriceBucket < -1 || item.PriceBucket >= _sizes.PriceBuckets)
            throw new ArgumentException($"Item '{item.Id}' has price bucket {item.PriceBucket}, outside -1..{_sizes.PriceBuckets - 1} (sizes.priceBuckets of model {_package.Version}).", nameof(item));
    }
}

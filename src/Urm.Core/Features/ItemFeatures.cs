namespace Urm.Core.Features;

/// <summary>
/// The frozen-encoder features of one item, the fusion model's input (docs/FORMATS.md).
/// </summary>
/// <param name="Text">MiniLM, 384 floats, L2-normalised.</param>
/// <param name="Image">ResNet18 pooled, 512 floats; null when the item has no usable image.</param>
/// <param name="AttributeTokens">Hashed ids in [1, AttributeTokens.Buckets).</param>
/// <param name="PriceBucket">In [0, PriceBucket.Count), or -1 when there is no price.</param>
public sealed record ItemFeatures(
    string Id,
    string ContentHash,
    float[] Text,
    float[]? Image,
    int[] AttributeTokens,
    int PriceBucket);

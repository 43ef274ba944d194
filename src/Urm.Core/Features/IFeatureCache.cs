using System.Diagnostics.CodeAnalysis;

namespace Urm.Core.Features;

/// <summary>
/// Features by content hash: an item whose content has not changed is never encoded again. The
/// stored Id is that of the item first seen with the hash; callers re-stamp it.
/// </summary>
public interface IFeatureCache
{
    bool TryGet(string contentHash, [MaybeNullWhen(false)] out ItemFeatures features);

    /// <summary>Adds or replaces the entry for features.ContentHash.</summary>
    void Put(ItemFeatures features);

    /// <summary>Makes what was put so far durable (a no-op where nothing is persisted).</summary>
    void Flush();

    int Count { get; }
}

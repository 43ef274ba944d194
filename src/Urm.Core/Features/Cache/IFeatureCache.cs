using System.Diagnostics.CodeAnalysis;

namespace Urm.Core.Features.Cache;

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

    /// <summary>
    /// Called with a batch's hashes before they are looked up one by one, so a cache behind a network
    /// can fetch them together instead of one round trip per <see cref="TryGet"/>. A hash it cannot
    /// find stays a miss.
    /// </summary>
    ValueTask PrefetchAsync(IReadOnlyCollection<string> contentHashes, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary><see cref="Flush"/>, and whatever a cache can only make durable asynchronously (an upload).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return ValueTask.CompletedTask;
    }

    int Count { get; }
}

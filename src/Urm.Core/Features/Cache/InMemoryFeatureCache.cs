using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Urm.Core.Features.Cache;

public sealed class InMemoryFeatureCache : IFeatureCache
{
    private readonly ConcurrentDictionary<string, ItemFeatures> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public bool TryGet(string contentHash, [MaybeNullWhen(false)] out ItemFeatures features)
        => _entries.TryGetValue(contentHash, out features);

    public void Put(ItemFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        _entries[features.ContentHash] = features;
    }

    public void Flush()
    {
    }
}

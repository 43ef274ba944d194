using System.Text;

namespace Urm.Azure.Cosmos;

/// <summary>
/// The partition key of a card: <c>"b" + (FNV-1a(UTF-8 id) mod 64)</c>, e.g. <c>b07</c>. Why buckets and not
/// the id itself: loading every card (each serving instance at start, the encoder's diff) is then 64
/// single-partition queries instead of one cross-partition fan-out, and a query plan is never needed.
/// Why 64: a logical partition holds at most 20 GB; at ~2 KB a card, 64 buckets hold 10 million
/// items at 320 MB each (1/60 of the limit), and 64 distinct keys still spread writes over as many
/// physical partitions as a large container gets. The hash is fixed forever: changing it (or the
/// count) would move every card to another partition, so it is a constant, not a setting.
/// </summary>
public static class CardPartitions
{
    public const int BucketCount = 64;

    /// <summary>The partition of the catalog version document, apart from every card bucket.</summary>
    public const string CatalogPartition = "catalog";

    public static IReadOnlyList<string> Buckets { get; } = Enumerable.Range(0, BucketCount).Select(Name).ToArray();

    public static string For(string itemId)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        // FNV-1a, 32 bit: stable across processes and runtimes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(itemId))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return Name((int)(hash % BucketCount));
    }

    private static string Name(int bucket) => "b" + bucket.ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
}

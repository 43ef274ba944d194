using System.Text;
using Urm.Core.Cards;

namespace Urm.Azure.Cosmos;

/// <summary>
/// The partition key of a card: <c>"b" + (FNV-1a(UTF-8 id) mod 64)</c>, e.g. <c>b07</c>. Why buckets and not
/// the id itself: loading every card (each serving instance at start, the encoder's diff) is then 64
/// single-partition queries instead of one cross-partition fan-out, and a query plan is never needed.
/// Why 64: a logical partition holds at most 20 GB; at ~2 KB a card, 64 buckets hold 10 million
/// items at 320 MB each (1/60 of the limit), and 64 distinct keys still spread writes over as many
/// physical partitions as a large container gets. The hash is fixed forever: changing it (or the
/// count) would move every card to another partition, so it is a constant, not a setting.
/// A card set other than the default "" (<see cref="ICardSets"/>) prefixes every partition it uses with
/// its name and '|' (<c>m2|b07</c>, <c>m2|catalog</c>), so its cards and its catalog version are
/// documents of their own beside the default set's, in the same container.
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

    /// <summary>The partition of <paramref name="itemId"/>'s card in <paramref name="cardSet"/>.</summary>
    public static string For(string itemId, string cardSet) => InSet(cardSet, For(itemId));

    /// <summary>The card partitions of <paramref name="cardSet"/>: <see cref="Buckets"/> for the default set.</summary>
    public static IReadOnlyList<string> BucketsFor(string cardSet)
    {
        CardSetNames.Check(cardSet, nameof(cardSet));
        return cardSet.Length == 0 ? Buckets : Buckets.Select(b => InSet(cardSet, b)).ToArray();
    }

    /// <summary>The partition of <paramref name="cardSet"/>'s catalog version document: <see cref="CatalogPartition"/> for the default set.</summary>
    public static string CatalogPartitionFor(string cardSet) => InSet(cardSet, CatalogPartition);

    private static string InSet(string cardSet, string partition)
    {
        CardSetNames.Check(cardSet, nameof(cardSet));
        return cardSet.Length == 0 ? partition : cardSet + "|" + partition;
    }

    private static string Name(int bucket) => "b" + bucket.ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
}

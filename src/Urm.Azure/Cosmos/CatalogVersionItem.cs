using System.Text.Json.Serialization;

namespace Urm.Azure.Cosmos;

/// <summary>
/// The one catalog version document of a card set (partition <c>catalog</c>, or <c>{set}|catalog</c>). <see cref="Reserved"/> is the last version
/// handed to a write; <see cref="Pending"/> lists the writes still in progress. Readers see
/// <see cref="Visible"/>: below the oldest write in progress, so a reader that moves to that version
/// has every card written at or below it (see <see cref="CosmosCardStore"/>).
/// </summary>
internal sealed record CatalogVersionItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("pk")] string Pk,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("reserved")] long Reserved,
    [property: JsonPropertyName("pending")] IReadOnlyList<PendingWrite> Pending)
{
    public const string DocumentId = "catalog-version";
    public const string VersionKind = "catalogVersion";

    public static CatalogVersionItem Empty(string cardSet) => new(DocumentId, CardPartitions.CatalogPartitionFor(cardSet), VersionKind, 0, []);

    /// <summary>Writes in progress whose lease has not run out at <paramref name="now"/>.</summary>
    public IEnumerable<PendingWrite> Live(DateTimeOffset now) => Pending.Where(p => p.ExpiresAt > now);

    public long Visible(DateTimeOffset now)
    {
        var oldest = Live(now).Select(p => p.Version).DefaultIfEmpty(long.MaxValue).Min();
        return Math.Min(Reserved, oldest - 1);
    }
}

/// <summary>A write in progress at <paramref name="Version"/>, presumed abandoned after <paramref name="ExpiresAt"/>.</summary>
internal sealed record PendingWrite(
    [property: JsonPropertyName("version")] long Version,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset ExpiresAt);

using System.Text.Json.Serialization;

namespace Urm.Azure.Cosmos;

/// <summary>
/// A stored event as a Cosmos DB document in the profiles container: partition <c>pk</c> is the profile
/// (<c>user:&lt;id&gt;</c> or <c>session:&lt;id&gt;</c>), the document id a hash of the event key (any
/// characters a client sends are safe), so a second create of the same key is a 409 conflict: a duplicate.
/// </summary>
/// <param name="Ticks">The event's time in UTC ticks, the order of the profile (then <paramref name="Received"/>).</param>
/// <param name="Expires">UTC ticks after which the event no longer counts (the store's TTL), or null.</param>
/// <param name="Ttl">Cosmos DB's own per-document expiry in seconds (the container has TTL on with no default), or null.</param>
internal sealed record ProfileEventItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("pk")] string Pk,
    [property: JsonPropertyName("eventKey")] string EventKey,
    [property: JsonPropertyName("eventId")] string? EventId,
    [property: JsonPropertyName("itemId")] string ItemId,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("ticks")] long Ticks,
    [property: JsonPropertyName("sessionId")] string? SessionId,
    [property: JsonPropertyName("recommendationId")] string? RecommendationId,
    [property: JsonPropertyName("received")] long Received,
    [property: JsonPropertyName("expires")] long? Expires,
    [property: JsonPropertyName("ttl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Ttl)
{
    /// <summary>The document id of an event key: "e-" and 40 hex digits of its SHA-256.</summary>
    public static string IdFor(string eventKey)
        => "e-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(eventKey)))[..40];
}

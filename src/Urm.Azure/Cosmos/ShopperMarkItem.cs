using System.Text.Json.Serialization;

namespace Urm.Azure.Cosmos;

/// <summary>
/// A pointer from a shopper to one recommendation record that names them, in the recommendations container
/// (docs/FORMATS.md, "Recommendation log"): the id is the recommendation id, <c>pk</c> the shopper
/// (<c>shopper|user:u-17</c>, <c>shopper|session:s-3</c>), <c>record</c> the record's own partition. An
/// erasure reads the shopper's partition instead of every day's (<see cref="CosmosRecommendationLog"/>).
/// </summary>
/// <param name="Ttl">The record's <c>ttl</c>, so the mark goes when its record does.</param>
internal sealed record ShopperMarkItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("pk")] string Pk,
    [property: JsonPropertyName("record")] string Record,
    [property: JsonPropertyName("ttl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Ttl)
{
    public static string PartitionOf(Urm.Core.Profiles.ProfileKey shopper) => "shopper|" + shopper.Value;
}

using System.Text.Json.Serialization;

namespace Urm.Azure.Cosmos;

/// <summary>
/// A served recommendation as a Cosmos DB document in the recommendations container (docs/FORMATS.md,
/// "Recommendation log"): the id is the recommendation id, <c>pk</c> its UTC day and bucket (<see cref="CosmosRecommendationLog"/>).
/// </summary>
/// <param name="Ticks">The time in UTC ticks, what a KPI range selects on.</param>
/// <param name="Arm">The experiment arm (A, B, …); left out of the document outside an experiment.</param>
/// <param name="Ttl">Cosmos DB's own expiry in seconds (Recommendations__Ttl), or null to keep it.</param>
internal sealed record RecommendationItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("pk")] string Pk,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("ticks")] long Ticks,
    [property: JsonPropertyName("modelVersion")] string ModelVersion,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("userId")] string? UserId,
    [property: JsonPropertyName("sessionId")] string? SessionId,
    [property: JsonPropertyName("k")] int K,
    [property: JsonPropertyName("items")] IReadOnlyList<string> Items,
    [property: JsonPropertyName("arm"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Arm,
    [property: JsonPropertyName("ttl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Ttl);

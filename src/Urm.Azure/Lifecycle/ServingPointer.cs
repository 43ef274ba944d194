using System.Text.Json.Serialization;

namespace Urm.Azure.Lifecycle;

/// <summary>
/// What every instance serves: <c>models/serving.json</c>, written only by the lifecycle (under
/// <see cref="LifecycleLock"/>) and flipped to a new model only once that model's card set is complete.
/// <c>models/active.json</c> is what the operator asks for; this pointer is what the shop gets.
/// </summary>
/// <param name="ModelVersion">The model package <c>models/&lt;v&gt;/</c> served; null while only a catalog has been uploaded.</param>
/// <param name="CardSet">The card set that model's cards are in (named after the model version).</param>
/// <param name="Catalog">The catalog snapshot last encoded (or recorded, before any model): what a new model's set is built from.</param>
/// <param name="CurrentRun">The chunked run in progress, if any; a newer one replaces it, and chunks of any other run are skipped.</param>
/// <param name="PendingModel">The model whose card set is being built, flipped to when <paramref name="CurrentRun"/> finishes.</param>
public sealed record ServingPointer(
    [property: JsonPropertyName("modelVersion")] string? ModelVersion,
    [property: JsonPropertyName("cardSet")] string? CardSet,
    [property: JsonPropertyName("catalog")] CatalogSnapshot? Catalog,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("currentRun")] string? CurrentRun = null,
    [property: JsonPropertyName("pendingModel")] string? PendingModel = null)
{
    public const string BlobName = "serving.json";

    public static ServingPointer Empty { get; } = new(null, null, null, DateTimeOffset.MinValue);
}

/// <summary>One upload of a catalog blob: its name in the <c>catalog</c> container and the ETag it had.</summary>
public sealed record CatalogSnapshot(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("etag")] string ETag);

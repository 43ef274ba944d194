namespace Urm.Azure.Cosmos;

/// <summary>
/// Settings <c>Recommendations__*</c> (docs/SETTINGS.md): the recommendation log's container, in the card
/// store's account and database (<c>CardStore__*</c>), and how long a record is kept.
/// </summary>
public sealed class CosmosRecommendationLogOptions
{
    public const string Section = "Recommendations";

    public string Container { get; set; } = "recommendations";

    /// <summary>How long Cosmos DB keeps a record (its document <c>ttl</c>); 00:00:00 keeps records for good.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromDays(90);
}

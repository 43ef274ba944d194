namespace Urm.Azure.Cosmos;

/// <summary>
/// Setting <c>Profiles__Container</c> (docs/SETTINGS.md): the profiles container, in the card store's
/// account and database (<c>CardStore__*</c>), partitioned by <c>/pk</c> (the profile). How much a profile
/// keeps is <see cref="Urm.Core.Profiles.ProfileOptions"/>, from the same section.
/// </summary>
public sealed class CosmosProfileStoreOptions
{
    public const string Section = "Profiles";

    public string Container { get; set; } = "profiles";
}

using Microsoft.Extensions.Configuration;

namespace Urm.Functions.Options;

/// <summary>
/// Settings <c>CatalogStorage__*</c>: the data account, identity-based. The blob triggers read the same
/// settings as their connection (<c>Connection = "CatalogStorage"</c>); the blob client is built from them.
/// </summary>
public sealed class CatalogStorageOptions
{
    public const string Section = "CatalogStorage";

    public Uri? BlobServiceUri { get; set; }

    public Uri? QueueServiceUri { get; set; }

    /// <summary><c>managedidentity</c> in Azure; anything else signs in with the developer's credentials (DefaultAzureCredential).</summary>
    public string? Credential { get; set; }

    /// <summary>The user-assigned identity's client id.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// The setting <c>CatalogStorage</c> itself, when it is a connection string: for the emulator (Azurite,
    /// e.g. <c>UseDevelopmentStorage=true</c>) only. The triggers read it too, as the connection's value.
    /// </summary>
    public static string? ConnectionString(IConfiguration configuration)
        => configuration[Section] is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;
}

using Azure.Storage.Blobs;

namespace Urm.Azure.Tests.Servers;

/// <summary>Azurite's blob service with its published development account; each test takes containers of its own.</summary>
public static class AzuriteBlobs
{
    // Azurite's well-known development account key (public, documented, accepted by nothing but emulators).
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static BlobServiceClient Client() => new(
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint={TestServers.RequireAzuriteBlob()};");

    /// <summary>
    /// What <c>UseDevelopmentStorage=true</c> says, blob and queue endpoints both, but on the ports the test servers
    /// listen on (<see cref="TestServers"/>): for the app's <c>CatalogStorage</c> setting and queue clients in tests.
    /// </summary>
    public static string DevelopmentStorage() =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint={TestServers.RequireAzuriteBlob()};QueueEndpoint={TestServers.RequireAzuriteQueue()};";

    /// <summary>A new, empty container with a unique name starting with <paramref name="prefix"/>.</summary>
    public static async Task<BlobContainerClient> NewContainerAsync(BlobServiceClient client, string prefix)
    {
        var container = client.GetBlobContainerClient($"{prefix}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)]);
        await container.CreateAsync();
        return container;
    }
}

using Azure.Storage.Queues;

namespace Urm.Azure.Tests.Servers;

/// <summary>Azurite's queue service with its published development account; each test takes queues of its own.</summary>
public static class AzuriteQueues
{
    // Azurite's well-known development account key (public, documented, accepted by nothing but emulators).
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>
    /// Messages are Base64 on the wire by default, as the Functions queue trigger reads them (host.json sets
    /// no messageEncoding): what a test sends, a queue-triggered function can read.
    /// </summary>
    public static QueueServiceClient Client(QueueMessageEncoding encoding = QueueMessageEncoding.Base64) => new(
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};QueueEndpoint={TestServers.RequireAzuriteQueue()};",
        new QueueClientOptions { MessageEncoding = encoding });

    /// <summary>A new, empty queue with a unique name starting with <paramref name="prefix"/>.</summary>
    public static async Task<QueueClient> NewQueueAsync(QueueServiceClient client, string prefix)
    {
        var queue = client.GetQueueClient($"{prefix}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)]);
        await queue.CreateAsync();
        return queue;
    }
}

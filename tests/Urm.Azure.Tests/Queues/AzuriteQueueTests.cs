using System.Text;
using Azure.Storage.Queues;
using Urm.Azure.Tests.Servers;

namespace Urm.Azure.Tests.Queues;

/// <summary>Azurite's queue service answers (the catalog chunk queues run on it in tests).</summary>
public sealed class AzuriteQueueTests : IAsyncLifetime
{
    private const string Chunk = """{"run":"r1","chunk":3}""";

    private QueueClient _chunks = null!;

    public async Task InitializeAsync() => _chunks = await AzuriteQueues.NewQueueAsync(AzuriteQueues.Client(), "catalog-chunks");

    public async Task DisposeAsync() => await _chunks.DeleteIfExistsAsync();

    [Fact]
    public async Task A_message_sent_to_a_new_queue_is_base64_on_the_wire_received_once_and_deleted()
    {
        await _chunks.SendMessageAsync(Chunk);

        // Base64 on the wire, the encoding the Functions queue trigger reads by default.
        var raw = AzuriteQueues.Client(QueueMessageEncoding.None).GetQueueClient(_chunks.Name);
        var peeked = (await raw.PeekMessageAsync()).Value;
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(Chunk)), peeked.Body.ToString());

        var message = Assert.Single((await _chunks.ReceiveMessagesAsync(maxMessages: 2, visibilityTimeout: TimeSpan.FromMinutes(1))).Value);
        Assert.Equal(Chunk, message.Body.ToString());
        Assert.Equal(1, message.DequeueCount);
        // Invisible while held: a second receiver gets nothing.
        Assert.Empty((await _chunks.ReceiveMessagesAsync(maxMessages: 2)).Value);

        await _chunks.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        Assert.Equal(0, (await _chunks.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }
}

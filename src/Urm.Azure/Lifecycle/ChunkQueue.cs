using System.Text.Json;
using Azure.Storage.Queues;

namespace Urm.Azure.Lifecycle;

/// <summary>One work item of a chunked run: encode chunk <paramref name="Chunk"/> of run <paramref name="RunId"/>.</summary>
public sealed record ChunkMessage(string RunId, int Chunk)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="FormatException">Not a chunk message (someone else wrote to the queue).</exception>
    public static ChunkMessage Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<ChunkMessage>(json, Json) is { RunId.Length: > 0, Chunk: >= 0 } message
                ? message
                : throw new FormatException("A chunk message needs a runId and a chunk number of 0 or more.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not a chunk message: {e.Message}", e);
        }
    }
}

/// <summary>
/// The storage queue of chunk work items. Messages are base64, as the Functions queue trigger expects by
/// default; any instance's trigger takes them, which is how a run spreads over the app's scale-out.
/// </summary>
public sealed class ChunkQueue(QueueClient queue)
{
    public const string DefaultName = "catalog-chunks";

    public async Task SendAsync(IEnumerable<ChunkMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
            await queue.SendMessageAsync(message.ToJson(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A client whose messages the Functions trigger reads (base64 bodies).</summary>
    public static QueueClientOptions ClientOptions() => new() { MessageEncoding = QueueMessageEncoding.Base64 };
}

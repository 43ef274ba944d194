using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Urm.Azure.Lifecycle;
using Urm.Functions.Storage;

namespace Urm.Functions.Triggers;

/// <summary>
/// One chunk of a catalog run (a message on <c>catalog-chunks</c>), on whichever instance takes it: the
/// Functions scale-out is the run's parallelism. A failure is retried by the queue (host.json,
/// maxDequeueCount) and then moved to <c>catalog-chunks-poison</c>, which <see cref="FailChunk"/> reads.
/// </summary>
public sealed class EncodeChunk(CatalogLifecycle lifecycle, ILogger<EncodeChunk> logger)
{
    public const string Queue = ChunkQueue.DefaultName;

    [Function(nameof(EncodeChunk))]
    public Task RunAsync([QueueTrigger(Queue, Connection = EncodeCatalog.Connection)] string message, CancellationToken cancellationToken)
        => ChunkMessages.TryParse(message, logger) is { } chunk ? lifecycle.EncodeChunkAsync(chunk, cancellationToken) : Task.CompletedTask;
}

/// <summary>A chunk that failed every delivery: its run ends with a report instead of waiting forever.</summary>
public sealed class FailChunk(CatalogLifecycle lifecycle, ILogger<FailChunk> logger)
{
    public const string Queue = ChunkQueue.DefaultName + "-poison";

    [Function(nameof(FailChunk))]
    public Task RunAsync([QueueTrigger(Queue, Connection = EncodeCatalog.Connection)] string message, CancellationToken cancellationToken)
        => ChunkMessages.TryParse(message, logger) is { } chunk ? lifecycle.FailRunAsync(chunk, cancellationToken) : Task.CompletedTask;
}

internal static class ChunkMessages
{
    /// <summary>A message that is no chunk message (written by hand, another app) would fail every retry: it is logged and dropped.</summary>
    public static ChunkMessage? TryParse(string message, ILogger logger)
    {
        try
        {
            return ChunkMessage.Parse(message);
        }
        catch (FormatException e)
        {
            logger.LogError("Dropped a message that is not a chunk message ({Reason}): {Message}", e.Message, message.Length > 200 ? message[..200] : message);
            return null;
        }
    }
}

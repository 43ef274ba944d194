using Microsoft.Azure.Functions.Worker;
using Urm.Azure.Lifecycle;
using Urm.Functions.Storage;

namespace Urm.Functions.Functions;

/// <summary>
/// One chunk of a catalog run (a message on <c>catalog-chunks</c>), on whichever instance takes it: the
/// Functions scale-out is the run's parallelism. A failure is retried by the queue (host.json,
/// maxDequeueCount) and then moved to <c>catalog-chunks-poison</c>, which <see cref="FailChunk"/> reads.
/// </summary>
public sealed class EncodeChunk(CatalogLifecycle lifecycle)
{
    public const string Queue = ChunkQueue.DefaultName;

    [Function(nameof(EncodeChunk))]
    public Task RunAsync([QueueTrigger(Queue, Connection = EncodeCatalog.Connection)] string message, CancellationToken cancellationToken)
        => lifecycle.EncodeChunkAsync(ChunkMessage.Parse(message), cancellationToken);
}

/// <summary>A chunk that failed every delivery: its run ends with a report instead of waiting forever.</summary>
public sealed class FailChunk(CatalogLifecycle lifecycle)
{
    public const string Queue = ChunkQueue.DefaultName + "-poison";

    [Function(nameof(FailChunk))]
    public Task RunAsync([QueueTrigger(Queue, Connection = EncodeCatalog.Connection)] string message, CancellationToken cancellationToken)
        => lifecycle.FailRunAsync(ChunkMessage.Parse(message), cancellationToken);
}

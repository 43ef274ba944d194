using Microsoft.Azure.Functions.Worker;
using Urm.Functions.Storage;

namespace Urm.Functions.Functions;

/// <summary>A new <c>models/active.json</c> (Event Grid BlobCreated on queue <c>model-events</c>) -> download, activate, re-fuse.</summary>
public sealed class ActivateModel(BlobModelActivator activator)
{
    public const string Queue = "model-events";

    [Function(nameof(ActivateModel))]
    public Task RunAsync([QueueTrigger(Queue, Connection = EncodeCatalog.Connection)] string message, CancellationToken cancellationToken)
    {
        // The event only says the pointer changed; the pointer itself is the truth (events may arrive out of order).
        _ = BlobCreatedEvent.Parse(message);
        return activator.ActivateAsync(cancellationToken);
    }
}

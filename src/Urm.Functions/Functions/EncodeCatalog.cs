using Microsoft.Azure.Functions.Worker;
using Urm.Functions.Storage;

namespace Urm.Functions.Functions;

/// <summary>A catalog upload (Event Grid BlobCreated on queue <c>catalog-events</c>) -> cards and <c>catalog-reports/&lt;name&gt;.json</c>.</summary>
public sealed class EncodeCatalog(BlobCatalogEncoder encoder)
{
    public const string Queue = "catalog-events";
    public const string Connection = "CatalogStorage";

    [Function(nameof(EncodeCatalog))]
    public Task RunAsync([QueueTrigger(Queue, Connection = Connection)] string message, CancellationToken cancellationToken)
        => encoder.EncodeAsync(BlobCreatedEvent.Parse(message), cancellationToken);
}

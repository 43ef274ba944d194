using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Urm.Azure.Blobs;
using Urm.Functions.Storage;

namespace Urm.Functions.Triggers;

/// <summary>A new model pointer <c>models/active.json</c> -> build the named model's card set, then flip <c>models/serving.json</c> (<see cref="CatalogLifecycle"/>).</summary>
public sealed class ActivateModel(CatalogLifecycle lifecycle)
{
    public const string Path = "models/" + ModelPointer.BlobName;

    [Function(nameof(ActivateModel))]
    public Task RunAsync(
        [BlobTrigger(Path, Source = BlobTriggerSource.EventGrid, Connection = EncodeCatalog.Connection)] BlobClient pointer,
        CancellationToken cancellationToken)
        // The trigger only says the pointer changed; it is read again under the lock (events may arrive out of order, or twice).
        => lifecycle.ActivateModelAsync(cancellationToken);
}

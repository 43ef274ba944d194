using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Urm.Azure.Blobs;
using Urm.Functions.Storage;

namespace Urm.Functions.Functions;

/// <summary>A new model pointer <c>models/active.json</c> -> download the package it names, activate it, re-fuse the cards.</summary>
public sealed class ActivateModel(BlobModelActivator activator)
{
    public const string Path = "models/" + ModelPointer.BlobName;

    [Function(nameof(ActivateModel))]
    public Task RunAsync(
        [BlobTrigger(Path, Source = BlobTriggerSource.EventGrid, Connection = EncodeCatalog.Connection)] BlobClient pointer,
        CancellationToken cancellationToken)
        // The trigger only says the pointer changed; it is read again when activating (events may arrive out of order).
        => activator.ActivateAsync(cancellationToken);
}

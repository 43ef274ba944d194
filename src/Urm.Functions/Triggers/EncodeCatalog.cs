using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Urm.Functions.Storage;

namespace Urm.Functions.Triggers;

/// <summary>
/// A catalog upload under <c>catalog/</c> -> cards and <c>catalog-reports/&lt;name&gt;.json</c>. The blob
/// trigger's Event Grid source (the Bicep's subscription posts BlobCreated to the blobs extension's
/// webhook) starts it within seconds of the upload, without polling the container. A blob that is no
/// catalog (an image beside it, say) starts nothing; see <see cref="CatalogLifecycle"/> for which card
/// set it goes into, what is retried and what is reported.
/// </summary>
public sealed class EncodeCatalog(CatalogLifecycle lifecycle)
{
    public const string Path = "catalog/{name}";
    public const string Connection = "CatalogStorage";

    [Function(nameof(EncodeCatalog))]
    public Task RunAsync(
        [BlobTrigger(Path, Source = BlobTriggerSource.EventGrid, Connection = Connection)] BlobClient blob,
        string name,
        CancellationToken cancellationToken)
        => lifecycle.EncodeCatalogAsync(blob, name, cancellationToken);
}

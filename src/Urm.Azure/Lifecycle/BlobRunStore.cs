using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Urm.Core.Runs;

namespace Urm.Azure.Lifecycle;

/// <summary>A chunked run's files as blobs <c>&lt;runId&gt;/&lt;name&gt;</c> in the runs container, readable by every instance.</summary>
public sealed class BlobRunStore(BlobContainerClient container) : IRunStore
{
    public async Task<bool> WriteAsync(string runId, string name, byte[] content, bool createOnly, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var options = new BlobUploadOptions { Conditions = createOnly ? new BlobRequestConditions { IfNoneMatch = ETag.All } : null };
        try
        {
            await Blob(runId, name).UploadAsync(BinaryData.FromBytes(content), options, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (createOnly && e.Status is 409 or 412)
        {
            return false;
        }
    }

    public async Task<byte[]?> ReadAsync(string runId, string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await Blob(runId, name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string runId, string prefix, CancellationToken cancellationToken)
    {
        RunNames.Check(runId, nameof(runId));
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = $"{runId}/{prefix}" }, cancellationToken).ConfigureAwait(false))
            names.Add(blob.Name[(runId.Length + 1)..]);
        return names;
    }

    private BlobClient Blob(string runId, string name)
        => container.GetBlobClient($"{RunNames.Check(runId, nameof(runId))}/{RunNames.Check(name, nameof(name))}");
}

using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Urm.Azure.Lifecycle;

/// <summary>Reads and writes <see cref="ServingPointer"/> by ETag: readers poll cheaply (304), writers replace only what they read.</summary>
public sealed class ServingPointerStore(BlobContainerClient models)
{
    private BlobClient Blob => models.GetBlobClient(ServingPointer.BlobName);

    /// <returns>The pointer and its ETag; <see cref="ServingPointer.Empty"/> and null when there is none yet.</returns>
    public async Task<(ServingPointer Pointer, ETag? ETag)> ReadAsync(CancellationToken cancellationToken)
        => await ReadIfChangedAsync(null, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("An unconditional read cannot be unchanged.");

    /// <returns>Null when the pointer still has <paramref name="known"/> as its ETag.</returns>
    /// <exception cref="FormatException">The blob is not a pointer (someone wrote it by hand).</exception>
    public async Task<(ServingPointer Pointer, ETag? ETag)?> ReadIfChangedAsync(ETag? known, CancellationToken cancellationToken)
    {
        try
        {
            var options = new BlobDownloadOptions { Conditions = known is { } etag ? new BlobRequestConditions { IfNoneMatch = etag } : null };
            var content = await Blob.DownloadContentAsync(options, cancellationToken).ConfigureAwait(false);
            if (content.GetRawResponse().Status == 304) return null;
            var pointer = Parse(content.Value.Content.ToString());
            return (pointer, content.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 304)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (ServingPointer.Empty, null);
        }
    }

    /// <summary>Replaces the pointer read at <paramref name="read"/> (null: there was none).</summary>
    /// <returns>The new ETag.</returns>
    /// <exception cref="RequestFailedException">412 or 409: someone else wrote it meanwhile.</exception>
    public async Task<ETag> WriteAsync(ServingPointer pointer, ETag? read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        var conditions = read is { } etag && etag != default ? new BlobRequestConditions { IfMatch = etag } : new BlobRequestConditions { IfNoneMatch = ETag.All };
        var json = BinaryData.FromObjectAsJson(pointer, JsonOptions);
        var response = await Blob.UploadAsync(json, new BlobUploadOptions
        {
            Conditions = conditions,
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
        }, cancellationToken).ConfigureAwait(false);
        return response.Value.ETag;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private static ServingPointer Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<ServingPointer>(json, JsonOptions) ?? throw new FormatException("models/serving.json is null.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"models/serving.json is not a serving pointer ({e.Message}); the lifecycle writes it: delete it and upload models/active.json again.", e);
        }
    }
}

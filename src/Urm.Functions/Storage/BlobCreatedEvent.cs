using System.Text.Json;

namespace Urm.Functions.Storage;

/// <summary>
/// An Event Grid <c>Microsoft.Storage.BlobCreated</c> event as the Bicep's subscriptions deliver it to a
/// storage queue (Event Grid schema, one event per message): the blob's container and name, from <c>data.url</c>.
/// </summary>
public sealed record BlobCreatedEvent(Uri Url, string Container, string BlobName)
{
    /// <summary>The event in a queue message; an array of one event is accepted too.</summary>
    /// <exception cref="FormatException">The message is not a BlobCreated event with a blob URL.</exception>
    public static BlobCreatedEvent Parse(string message)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(message).RootElement;
        }
        catch (JsonException e)
        {
            throw new FormatException($"The queue message is not JSON ({e.Message}); expected an Event Grid BlobCreated event.", e);
        }
        if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0) root = root[0];
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri))
            throw new FormatException("The queue message is not an Event Grid BlobCreated event: it has no data.url.");
        return FromUrl(uri);
    }

    /// <summary>https://account.blob.core.windows.net/container/path/name -> (container, "path/name").</summary>
    public static BlobCreatedEvent FromUrl(Uri url)
    {
        var path = Uri.UnescapeDataString(url.AbsolutePath).TrimStart('/');
        // Azurite and other emulators put the account name first: http://127.0.0.1:10000/devstoreaccount1/container/name.
        if (url.IsLoopback && path.Contains('/')) path = path[(path.IndexOf('/') + 1)..];
        var slash = path.IndexOf('/');
        if (slash <= 0 || slash == path.Length - 1)
            throw new FormatException($"The blob URL '{url}' does not name a container and a blob.");
        return new BlobCreatedEvent(url, path[..slash], path[(slash + 1)..]);
    }
}

using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Urm.Core.Text;
using Urm.Http.Problems;

namespace Urm.Http.Json;

/// <summary>
/// A request's JSON body as bytes, before any parsing: a JSON content type, at most a given size (by
/// Content-Length and while reading), not empty. Each refusal is a 400 problem that says what to send.
/// </summary>
internal static class JsonRequestBody
{
    /// <param name="example">What a good body holds ("with ..., e.g. {...}"), for the empty-body answer.</param>
    /// <param name="tooLarge">What to send instead, for the too-large answer.</param>
    public static async Task<(byte[]? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, int maxBytes, string example, string tooLarge, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
            return (null, ApiProblems.BadRequest($"Send the body as JSON with the header 'Content-Type: application/json'; got '{Quoting.Shorten(request.ContentType ?? "(none)", 60)}'."));
        var over = ApiProblems.BadRequest($"The body is larger than {maxBytes / 1024} KiB: {tooLarge}");
        if (request.ContentLength > maxBytes) return (null, over);
        var body = await ReadBoundedAsync(request.Body, maxBytes, cancellationToken).ConfigureAwait(false);
        if (body is null) return (null, over);
        if (body.Length == 0 || body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
            return (null, ApiProblems.BadRequest($"The body is empty: send a JSON object {example}."));
        return (body, null);
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType is null) return false;
        if (media.CharSet is { Length: > 0 } charset && !charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase)) return false;
        return media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The body, or null when it is longer than <paramref name="maxBytes"/> (reading stops there).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}

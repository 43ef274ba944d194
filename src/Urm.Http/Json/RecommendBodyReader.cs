using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Urm.Core.Serving;
using Urm.Core.Text;
using Urm.Http.Problems;

namespace Urm.Http.Json;

/// <summary>
/// Reads a recommend body: JSON content type, at most <see cref="MaxBytes"/>, then the JSON itself.
/// Whatever is wrong comes back as a 400 problem naming the field and what it should be; no input
/// reaches the caller as an exception.
/// </summary>
public static class RecommendBodyReader
{
    public const int MaxBytes = 256 * 1024;

    public static async Task<(RecommendRequest? Request, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
            return (null, ApiProblems.BadRequest($"Send the body as JSON with the header 'Content-Type: application/json'; got '{Quoting.Shorten(request.ContentType ?? "(none)", 60)}'."));
        if (request.ContentLength > MaxBytes)
            return (null, TooLarge());

        var body = await ReadBoundedAsync(request.Body, cancellationToken).ConfigureAwait(false);
        if (body is null) return (null, TooLarge());
        if (body.Length == 0 || body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
            return (null, ApiProblems.BadRequest("The body is empty: send a JSON object with a history (item ids) or a task input, e.g. {\"history\": [\"sku-1\"]}."));

        try
        {
            var parsed = JsonSerializer.Deserialize<RecommendRequest>(body, UrmJson.Options);
            return parsed is null
                ? (null, ApiProblems.BadRequest("The body is JSON null: send a JSON object with a history (item ids) or a task input."))
                : (parsed, null);
        }
        catch (JsonException e)
        {
            return (null, JsonErrors.Describe(e));
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            return (null, ApiProblems.BadRequest("The body could not be read as a recommend request; see POST /api/recommend in /openapi/v1.json for its shape."));
        }
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType is null) return false;
        if (media.CharSet is { Length: > 0 } charset && !charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase)) return false;
        return media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The body, or null when it is longer than <see cref="MaxBytes"/> (reading stops there).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ProblemHttpResult TooLarge()
        => ApiProblems.BadRequest($"The body is larger than {MaxBytes / 1024} KiB: send fewer history events (the model reads only the most recent) or shorter lists.");
}

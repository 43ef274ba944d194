using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Urm.Core.Serving;
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
        var (body, problem) = await JsonRequestBody.ReadAsync(request, MaxBytes,
            "with a history (item ids) or a task input, e.g. {\"history\": [\"sku-1\"]}",
            "send fewer history events (the model reads only the most recent) or shorter lists.", cancellationToken).ConfigureAwait(false);
        if (problem is not null) return (null, problem);

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
}

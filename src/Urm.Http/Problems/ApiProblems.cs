using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Urm.Core.Serving;

namespace Urm.Http.Problems;

/// <summary>
/// The API's RFC 9457 problems. Every detail says what to change; none carries an exception message,
/// a stack trace, a path on the server or a setting.
/// </summary>
public static class ApiProblems
{
    public static ProblemHttpResult BadRequest(string detail, IReadOnlyList<FieldError>? errors = null)
        => TypedResults.Problem(
            detail: detail,
            statusCode: StatusCodes.Status400BadRequest,
            title: "The request is invalid",
            extensions: errors is { Count: > 0 } ? new Dictionary<string, object?> { ["errors"] = errors } : null);

    public static ProblemHttpResult Invalid(IReadOnlyList<FieldError> errors)
        => BadRequest(
            errors.Count == 1
                ? $"{Where(errors[0])}{errors[0].Message}"
                : $"The request has {errors.Count} problems; each is listed in 'errors' with the field to fix.",
            errors);

    public static ProblemHttpResult NotFound(string detail)
        => TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>No model is active yet (or the cards are being rebuilt, or the store is throttling): the
    /// client may retry after <paramref name="retryAfter"/>, which the body states and, where the response
    /// is at hand, the Retry-After header too.</summary>
    public static ProblemHttpResult NotReady(string detail, TimeSpan retryAfter, HttpContext? context = null)
    {
        var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
        if (context is not null) context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready",
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
    }

    /// <summary>An exception out of a request, as its answer: 503 for a state that passes
    /// (<see cref="ServiceNotReadyException"/>), 500 for anything else, which is a fault of the service.
    /// Neither carries the exception's message.</summary>
    public static ProblemHttpResult ForException(Exception error, string? traceId, HttpContext? context = null)
        => error is ServiceNotReadyException notReady
            ? NotReady("The service is not ready to answer yet (no model, a model swap or re-fuse in progress, or a busy card store); retry after the time given.", notReady.RetryAfter, context)
            : Unexpected(traceId);

    /// <summary>A fault of the service, never of the input; the trace id finds it in the logs.</summary>
    public static ProblemHttpResult Unexpected(string? traceId)
        => TypedResults.Problem(
            detail: "The service failed to answer this request; it is not a problem with the request. Retry later, and quote the traceId if it persists.",
            statusCode: StatusCodes.Status500InternalServerError,
            title: "Internal error",
            extensions: traceId is null ? null : new Dictionary<string, object?> { ["traceId"] = traceId });

    private static string Where(FieldError error) => error.Field.Length == 0 ? "" : $"{error.Field}: ";
}

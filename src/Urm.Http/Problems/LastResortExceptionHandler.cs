using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Urm.Http.Problems;

/// <summary>
/// Whatever escapes a handler or the framework's binding becomes a problem+json: 400 for a request the
/// framework could not read, else 500 with a trace id. The exception's text never reaches the client.
/// </summary>
public sealed class LastResortExceptionHandler(ILogger<LastResortExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var result = exception is BadHttpRequestException
            ? ApiProblems.BadRequest("The request could not be read (bad framing, headers or body); send a JSON body with 'Content-Type: application/json'.")
            : ApiProblems.Unexpected(httpContext.TraceIdentifier);
        if (exception is not BadHttpRequestException)
            logger.LogError(exception, "Unhandled exception (trace {TraceId})", httpContext.TraceIdentifier);
        await result.ExecuteAsync(httpContext).ConfigureAwait(false);
        return true;
    }
}

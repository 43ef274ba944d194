using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Urm.Http.Problems;

namespace Urm.Functions.Triggers;

/// <summary>
/// The Functions app's last resort for HTTP: an exception that escapes an HTTP function (the shared
/// handlers catch their own; this covers binding and the worker around them) becomes a 500 problem+json
/// with a trace id and nothing of the exception.
/// </summary>
/// <remarks>
/// Everything else passes through untouched. The blob triggers (<see cref="EncodeCatalog"/>,
/// <see cref="ActivateModel"/>) and the queue triggers (<see cref="EncodeChunk"/>, <see cref="FailChunk"/>)
/// have no HTTP context, so their exceptions reach the host, whose retries depend on seeing them: a chunk
/// message is delivered again and, after host.json's maxDequeueCount, moved to the poison queue, where
/// FailChunk ends its run with a report. Cancellation (the host shutting down) and a response already
/// under way pass through too: neither can be answered with a problem.
/// </remarks>
public sealed class ProblemMiddleware(ILogger<ProblemMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (e is not OperationCanceledException && context.GetHttpContext() is { Response.HasStarted: false } http)
        {
            logger.LogError(e, "{Function} failed (trace {TraceId})", context.FunctionDefinition.Name, http.TraceIdentifier);
            await ApiProblems.Unexpected(http.TraceIdentifier).ExecuteAsync(http);
        }
    }
}

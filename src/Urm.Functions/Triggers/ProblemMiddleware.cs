using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Urm.Http.Problems;

namespace Urm.Functions.Triggers;

/// <summary>
/// The Functions app's last resort: an exception that escapes an HTTP function (the shared handlers catch
/// their own; this covers binding and the worker around them) becomes a 500 problem+json with a trace id
/// and nothing of the exception. Queue functions rethrow, so the queue retries and then poisons the message.
/// </summary>
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

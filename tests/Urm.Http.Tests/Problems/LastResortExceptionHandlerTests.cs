using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Urm.Http.Problems;

namespace Urm.Http.Tests.Problems;

/// <summary>What `urm serve` answers when an exception escapes a handler: a problem, never the exception's text.</summary>
public sealed class LastResortExceptionHandlerTests
{
    private const string Secret = "connection string AccountKey=c2VjcmV0 at /srv/urm/models";

    [Fact]
    public async Task A_request_the_framework_could_not_read_is_a_400()
    {
        var (status, body) = await HandleAsync(new BadHttpRequestException(Secret));

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Contains("'Content-Type: application/json'", body.GetProperty("detail").GetString());
        Assert.DoesNotContain("AccountKey", body.GetRawText());
    }

    [Fact]
    public async Task Any_other_exception_is_a_500_with_the_trace_id_and_nothing_of_the_exception()
    {
        var (status, body) = await HandleAsync(new InvalidOperationException(Secret));

        Assert.Equal(StatusCodes.Status500InternalServerError, status);
        Assert.Equal("trace-1", body.GetProperty("traceId").GetString());
        Assert.DoesNotContain("AccountKey", body.GetRawText());
        Assert.DoesNotContain("/srv/", body.GetRawText());
    }

    private static async Task<(int Status, JsonElement Body)> HandleAsync(Exception exception)
    {
        var context = new DefaultHttpContext
        {
            TraceIdentifier = "trace-1",
            RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider(),
        };
        var output = new MemoryStream();
        context.Response.Body = output;

        var handled = await new LastResortExceptionHandler(NullLogger<LastResortExceptionHandler>.Instance)
            .TryHandleAsync(context, exception, default);

        Assert.True(handled);
        return (context.Response.StatusCode, JsonDocument.Parse(output.ToArray()).RootElement);
    }
}

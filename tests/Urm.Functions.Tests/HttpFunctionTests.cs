using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Urm.Core.Cards;
using Urm.Core.Features.Text;
using Urm.Core.Models.Runtime;
using Urm.Functions.Triggers;
using Urm.Http;
using Urm.Http.Serving;

namespace Urm.Functions.Tests;

/// <summary>
/// The HTTP functions called directly with a DefaultHttpContext, as the worker would: bad input is a
/// 400 problem+json before any model is needed; without an active model the answer is a 503 problem.
/// </summary>
public sealed class HttpFunctionTests : IDisposable
{
    private readonly ServiceProvider _services;

    public HttpFunctionTests()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(new ModelHost());
        services.AddSingleton<ITextEncoder, NoText>();
        services.AddUrmHttp();
        _services = services.BuildServiceProvider();
    }

    private UrmServing Serving => _services.GetRequiredService<UrmServing>();

    [Theory]
    [InlineData("{not json", "application/json")]
    [InlineData("""{"k": 0}""", "application/json")]
    [InlineData("""{"history": [42]}""", "application/json")]
    [InlineData("""{"task": "nope"}""", "application/json")]
    [InlineData("""{"history": ["sku-1"]}""", "text/plain")]
    [InlineData("", "application/json")]
    public async Task Recommend_answers_bad_bodies_with_400_problems(string body, string contentType)
    {
        var (status, mediaType, answer) = await CallAsync(c => new Recommend(Serving).RunAsync(c.Request, default), "POST", body, contentType);

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", mediaType);
        var problem = JsonDocument.Parse(answer).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Recommend_reports_field_errors_in_an_errors_list()
    {
        var (_, _, answer) = await CallAsync(c => new Recommend(Serving).RunAsync(c.Request, default), "POST", """{"k": 999, "task": "nope"}""", "application/json");

        var fields = JsonDocument.Parse(answer).RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToArray();
        Assert.Contains("k", fields);
        Assert.Contains("task", fields);
    }

    [Fact]
    public async Task Recommend_with_a_valid_body_but_no_model_is_a_503_problem()
    {
        var (status, mediaType, answer) = await CallAsync(c => new Recommend(Serving).RunAsync(c.Request, default), "POST", """{"history": ["sku-1"]}""", "application/json");
        Assert.Equal(503, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Equal("30", _retryAfter);
        Assert.Equal(30, JsonDocument.Parse(answer).RootElement.GetProperty("retryAfterSeconds").GetInt32());
    }

    [Fact]
    public async Task Only_a_state_that_passes_is_a_503_with_retry_after_and_a_fault_is_a_500_that_tells_nothing_inside()
    {
        var (busy, _, busyBody) = await CallAsync(c => Task.FromResult(Action(Urm.Http.Problems.ApiProblems.ForException(
            new Urm.Core.Serving.ServiceNotReadyException("store throttled at /secret/path", TimeSpan.FromSeconds(7)), "t-1", c))), "GET");
        Assert.Equal((503, "7"), (busy, _retryAfter));
        Assert.DoesNotContain("/secret/path", busyBody);

        var (fault, _, faultBody) = await CallAsync(c => Task.FromResult(Action(Urm.Http.Problems.ApiProblems.ForException(
            new InvalidOperationException("a bug at /secret/path"), "t-2", c))), "GET");
        Assert.Equal((500, null), (fault, _retryAfter));
        Assert.DoesNotContain("/secret/path", faultBody);
        Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(faultBody).RootElement.GetProperty("traceId").GetString()));
    }

    private static IActionResult Action(IResult result) => new HttpResultAction(result);

    [Fact]
    public async Task GetItem_refuses_an_overlong_id_and_waits_for_a_model()
    {
        var (tooLong, mediaType, _) = await CallAsync(c => new GetItem(Serving).RunAsync(c.Request, new string('x', 300), default), "GET");
        Assert.Equal(400, tooLong);
        Assert.Equal("application/problem+json", mediaType);

        var (noModel, _, _) = await CallAsync(c => new GetItem(Serving).RunAsync(c.Request, "sku-1", default), "GET");
        Assert.Equal(503, noModel);
    }

    [Fact]
    public async Task Health_without_a_model_is_a_503_problem()
    {
        var (status, mediaType, answer) = await CallAsync(c => new Health(Serving).RunAsync(c.Request, default), "GET");
        Assert.Equal(503, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Contains("No model is active", answer);
    }

    private async Task<(int Status, string? MediaType, string Body)> CallAsync(Func<HttpContext, Task<IActionResult>> function, string method, string? body = null, string? contentType = null)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Request.Method = method;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = contentType;
        }
        context.Response.Body = new MemoryStream();
        var result = await function(context);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        _retryAfter = context.Response.Headers.RetryAfter.Count == 0 ? null : context.Response.Headers.RetryAfter.ToString();
        var mediaType = context.Response.ContentType?.Split(';')[0];
        return (context.Response.StatusCode, mediaType, await new StreamReader(context.Response.Body).ReadToEndAsync());
    }

    private string? _retryAfter;

    public void Dispose() => _services.Dispose();

    private sealed class NoText : ITextEncoder
    {
        public int Dimension => 384;

        public float[][] Encode(IReadOnlyList<string> texts) => throw new InvalidOperationException("Not used without a model.");
    }
}

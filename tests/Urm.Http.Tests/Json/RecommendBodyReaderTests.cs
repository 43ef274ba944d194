using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Urm.Core.Serving;
using Urm.Http.Json;

namespace Urm.Http.Tests.Json;

/// <summary>
/// What a client sees when its recommend body is wrong: a 400 problem whose detail says what to change
/// and, for a field, whose errors name it in the API's camelCase path. Both hosts answer with these.
/// </summary>
public sealed class RecommendBodyReaderTests
{
    [Fact]
    public async Task A_valid_body_is_read_with_both_history_shapes()
    {
        var (request, problem) = await ReadAsync("""{"history": ["sku-1", {"itemId": "sku-2", "event": "cart"}], "k": 5}""");

        Assert.Null(problem);
        Assert.NotNull(request);
        Assert.Equal(["sku-1", "sku-2"], request.History!.Select(h => h.ItemId).ToArray());
        Assert.Equal("cart", request.History![1].Event);
        Assert.Equal(5, request.K);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/problem+json")]
    public async Task Json_content_types_are_accepted(string contentType)
    {
        var (request, problem) = await ReadAsync("""{"history": ["sku-1"]}""", contentType);

        Assert.Null(problem);
        Assert.NotNull(request);
    }

    [Theory]
    [InlineData("text/plain", "got 'text/plain'")]
    [InlineData(null, "got '(none)'")]
    [InlineData("application/json; charset=latin1", "got 'application/json; charset=latin1'")]
    public async Task A_body_that_is_not_sent_as_json_names_the_header_to_send(string? contentType, string got)
    {
        var (request, problem) = await ReadAsync("""{"history": ["sku-1"]}""", contentType);

        Assert.Null(request);
        var detail = Detail(problem);
        Assert.Contains("'Content-Type: application/json'", detail);
        Assert.Contains(got, detail);
    }

    [Fact]
    public async Task A_long_content_type_is_echoed_shortened()
    {
        var contentType = "text/" + new string('x', 200);

        var (_, problem) = await ReadAsync("{}", contentType);

        Assert.Contains($"got '{contentType[..60]}…'", Detail(problem));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_by_its_declared_length()
    {
        var context = Request("{}", "application/json");
        context.Request.ContentLength = RecommendBodyReader.MaxBytes + 1;

        var (request, problem) = await RecommendBodyReader.ReadAsync(context.Request, default);

        Assert.Null(request);
        Assert.Contains($"larger than {RecommendBodyReader.MaxBytes / 1024} KiB", Detail(problem));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_without_a_declared_length()
    {
        // Chunked uploads carry no Content-Length: the reader must stop at the limit on its own.
        var body = """{"history": [""" + string.Join(",", Enumerable.Repeat("\"sku-123456\"", RecommendBodyReader.MaxBytes / 12 + 1)) + "]}";
        Assert.True(Encoding.UTF8.GetByteCount(body) > RecommendBodyReader.MaxBytes);

        var (request, problem) = await ReadAsync(body);

        Assert.Null(request);
        Assert.Contains("larger than", Detail(problem));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n\t ")]
    public async Task An_empty_body_asks_for_a_json_object(string body)
    {
        var (_, problem) = await ReadAsync(body);

        Assert.StartsWith("The body is empty", Detail(problem));
    }

    [Fact]
    public async Task Json_null_is_not_a_request()
    {
        var (_, problem) = await ReadAsync("null");

        Assert.StartsWith("The body is JSON null", Detail(problem));
    }

    [Fact]
    public async Task An_unknown_field_is_named_with_the_fields_allowed_there()
    {
        var (_, problem) = await ReadAsync("""{"histroy": ["sku-1"]}""");

        var error = Assert.Single(Errors(problem));
        Assert.Equal("histroy", error.Field);
        Assert.Equal("Unknown field; fields here: userId, sessionId, history, task, prompt, query, anchorItemId, category, k, rules.", error.Message);
        Assert.StartsWith("Unknown field 'histroy': remove it or check its spelling", Detail(problem));
    }

    [Fact]
    public async Task An_unknown_rule_is_named_by_its_path_with_the_rule_fields()
    {
        var (_, problem) = await ReadAsync("""{"history": ["sku-1"], "rules": {"excludeSen": true}}""");

        var error = Assert.Single(Errors(problem));
        Assert.Equal("rules.excludeSen", error.Field);
        Assert.Contains("availableOnly, excludeSeen, excludeIds", error.Message);
    }

    [Theory]
    [InlineData("""{"k": "ten"}""", "k", "k must be a whole number from 1 to 200.")]
    [InlineData("""{"history": ["sku-1"], "rules": {"priceMin": "cheap"}}""", "rules.priceMin", "priceMin must be a number (0 or more).")]
    [InlineData("""{"history": [{"itemId": "sku-1", "event": 3}]}""", "history[0].event", "event must be a string: view, click, cart or purchase.")]
    public async Task A_value_of_the_wrong_type_says_what_the_field_holds(string body, string field, string message)
    {
        var (_, problem) = await ReadAsync(body);

        var error = Assert.Single(Errors(problem));
        Assert.Equal(field, error.Field);
        Assert.Equal(message, error.Message);
        Assert.DoesNotContain("System.", Detail(problem));
    }

    [Fact]
    public async Task Broken_json_is_reported_with_its_line_and_without_type_names()
    {
        var (_, problem) = await ReadAsync("{\n  \"k\": ,\n}");

        var detail = Detail(problem);
        Assert.StartsWith("The body is not valid JSON (line 2, ", detail);
        Assert.DoesNotContain("System.", detail);
        Assert.StartsWith("Not valid JSON here: ", Assert.Single(Errors(problem)).Message);
    }

    private static Task<(RecommendRequest? Request, ProblemHttpResult? Problem)> ReadAsync(string body, string? contentType = "application/json")
        => RecommendBodyReader.ReadAsync(Request(body, contentType).Request, default);

    private static DefaultHttpContext Request(string body, string? contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return context;
    }

    private static string Detail(ProblemHttpResult? problem)
    {
        Assert.NotNull(problem);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        return problem.ProblemDetails.Detail!;
    }

    private static IReadOnlyList<FieldError> Errors(ProblemHttpResult? problem)
    {
        Detail(problem);
        return Assert.IsAssignableFrom<IReadOnlyList<FieldError>>(problem!.ProblemDetails.Extensions["errors"]);
    }
}

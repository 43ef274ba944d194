using System.Net;
using System.Text;

namespace Urm.Cli.Tests.Serve;

/// <summary>A corpus of bad requests: each is a 400 problem+json that says what to fix, never a 500.</summary>
[Collection(ServeCollection.Name)]
public sealed class MalformedBodyTests(ServeFixture serve)
{
    public static TheoryData<string, string> Bodies() => new()
    {
        { "not json", "hello" },
        { "truncated", """{"history": ["sku-1" """ },
        { "trailing comma", """{"history": ["sku-1"],}""" },
        { "single quotes", "{'history': ['sku-1']}" },
        { "array body", """["sku-1"]""" },
        { "number body", "42" },
        { "string body", "\"sku-1\"" },
        { "null body", "null" },
        { "whitespace body", "   \n  " },
        { "two documents", """{} {}""" },
        { "history as string", """{"history": "sku-1"}""" },
        { "history as object", """{"history": {"itemId": "sku-1"}}""" },
        { "history entry number", """{"history": [42]}""" },
        { "history entry bool", """{"history": [true]}""" },
        { "history entry array", """{"history": [["sku-1"]]}""" },
        { "history null entry", """{"history": [null]}""" },
        { "itemId number", """{"history": [{"itemId": 5}]}""" },
        { "itemId missing", """{"history": [{"event": "view"}]}""" },
        { "itemId blank", """{"history": [" "]}""" },
        { "unknown event", """{"history": [{"itemId": "sku-1", "event": "teleport"}]}""" },
        { "bad timestamp", """{"history": [{"itemId": "sku-1", "timestamp": "yesterday"}]}""" },
        { "timestamp number", """{"history": [{"itemId": "sku-1", "timestamp": 1700000000}]}""" },
        { "unknown history field", """{"history": [{"itemId": "sku-1", "colour": "red"}]}""" },
        { "unknown task", """{"task": "read-my-mind"}""" },
        { "task number", """{"task": 3}""" },
        { "search without query", """{"task": "search"}""" },
        { "category without category", """{"task": "category"}""" },
        { "similar without anchor", """{"task": "similar"}""" },
        { "k zero", """{"k": 0}""" },
        { "k negative", """{"k": -3}""" },
        { "k too big", """{"k": 201}""" },
        { "k fraction", """{"k": 2.5}""" },
        { "k string", """{"k": "10"}""" },
        { "k huge", """{"k": 1e400}""" },
        { "k beyond int", """{"k": 99999999999999999999}""" },
        { "rules array", """{"rules": []}""" },
        { "rules string", """{"rules": "none"}""" },
        { "availableOnly string", """{"rules": {"availableOnly": "yes"}}""" },
        { "priceMin negative", """{"rules": {"priceMin": -1}}""" },
        { "priceMin above priceMax", """{"rules": {"priceMin": 10, "priceMax": 5}}""" },
        { "priceMax string", """{"rules": {"priceMax": "cheap"}}""" },
        { "priceMax NaN", """{"rules": {"priceMax": NaN}}""" },
        { "excludeIds string", """{"rules": {"excludeIds": "sku-1"}}""" },
        { "excludeIds numbers", """{"rules": {"excludeIds": [1, 2]}}""" },
        { "excludeIds null entry", """{"rules": {"excludeIds": [null]}}""" },
        { "categories null entry", """{"rules": {"categories": [null, ""]}}""" },
        { "unknown rule", """{"rules": {"inStock": true}}""" },
        { "unknown field", """{"histroy": ["sku-1"]}""" },
        { "nulls everywhere", """{"userId": null, "history": [null, {"itemId": null, "event": null, "timestamp": null}], "task": null, "prompt": null, "query": null, "anchorItemId": null, "category": null, "k": null, "rules": {"availableOnly": null, "excludeSeen": null, "excludeIds": [null], "categories": [null], "excludeCategories": [null], "priceMin": null, "priceMax": null}}""" },
        { "huge id", $$"""{"history": ["{{new string('x', 100_000)}}"]}""" },
        { "huge prompt", $$"""{"prompt": "{{new string('p', 200_000)}}"}""" },
        { "huge task", $$"""{"task": "{{new string('t', 100_000)}}"}""" },
        { "too many history events", $$"""{"history": [{{string.Join(",", Enumerable.Range(0, 501).Select(i => $"\"sku-{i % 20 + 1}\""))}}]}""" },
        { "too many excludeIds", $$"""{"rules": {"excludeIds": [{{string.Join(",", Enumerable.Range(0, 1001).Select(i => $"\"x{i}\""))}}]} }""" },
        { "deep nesting", """{"history": [""" + new string('[', 5000) + new string(']', 5000) + "]}" },
        { "deep object nesting", string.Concat(Enumerable.Repeat("{\"rules\":", 200)) + "{}" + new string('}', 200) },
        { "invalid escape", """{"userId": "\x"}""" },
        { "lone surrogate", """{"history": ["\ud800"]}""" },
        { "control character", "{\"userId\": \"a\u0001b\"}" },
        { "comment", """{/* hi */ "k": 3}""" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Every_bad_body_is_a_400_problem(string name, string body)
    {
        Problem.AssertBadRequest(await Problem.PostAsync(serve.Client, body), name);
    }

    [Fact]
    public async Task Field_errors_name_the_field_in_an_errors_list()
    {
        var problem = Problem.AssertBadRequest(
            await Problem.PostAsync(serve.Client, """{"history": [{"itemId": "sku-1", "event": "teleport"}], "k": 0, "task": "nope"}"""), "three problems");

        var fields = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToArray();
        Assert.Contains("history[0].event", fields);
        Assert.Contains("k", fields);
        Assert.Contains("task", fields);
        Assert.All(problem.GetProperty("errors").EnumerateArray(), e => Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("message").GetString())));
    }

    [Fact]
    public async Task A_wrongly_typed_field_is_named()
    {
        var problem = Problem.AssertBadRequest(await Problem.PostAsync(serve.Client, """{"rules": {"priceMax": "cheap"}}"""), "priceMax string");
        Assert.Equal("rules.priceMax", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Contains("number", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{"histroy": []}""", "histroy")]
    [InlineData("""{"rules": {"inStock": true}}""", "rules.inStock")]
    [InlineData("""{"history": [{"itemId": "sku-1", "colour": "red"}]}""", "history[0].colour")]
    public async Task An_unknown_field_is_named_once(string body, string field)
    {
        var problem = Problem.AssertBadRequest(await Problem.PostAsync(serve.Client, body), field);
        Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Contains($"'{field}'", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_300_KiB_body_is_refused()
    {
        var body = $$"""{"prompt": "{{new string('a', 300 * 1024)}}"}""";
        var problem = Problem.AssertBadRequest(await Problem.PostAsync(serve.Client, body), "300 KiB");
        Assert.Contains("256 KiB", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    [InlineData("application/json; charset=latin1")]
    public async Task A_wrong_content_type_is_refused(string contentType)
    {
        var problem = Problem.AssertBadRequest(await Problem.PostAsync(serve.Client, """{"history": ["sku-1"]}""", contentType), contentType);
        Assert.Contains("application/json", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_missing_content_type_and_an_empty_body_are_refused()
    {
        using var empty = new ByteArrayContent([]);
        using var response = await serve.Client.PostAsync("/api/recommend", empty);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        Problem.AssertBadRequest(await Problem.PostAsync(serve.Client, ""), "empty JSON body");
    }

    [Fact]
    public async Task Invalid_utf8_is_refused()
    {
        using var content = new ByteArrayContent([.. Encoding.UTF8.GetBytes("{\"userId\": \""), 0xff, 0xfe, .. Encoding.UTF8.GetBytes("\"}")]);
        content.Headers.ContentType = new("application/json");
        using var response = await serve.Client.PostAsync("/api/recommend", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}

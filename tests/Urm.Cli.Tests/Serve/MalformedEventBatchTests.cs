using System.Net;

namespace Urm.Cli.Tests.Serve;

/// <summary>
/// A corpus of bodies that are not a batch: each is a 400 problem+json that says what to fix, and none
/// leaves any of its events behind (the user named in each would otherwise have a profile).
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class MalformedEventBatchTests(ServeFixture serve)
{
    // Each body names the user USER in a valid-looking event, so a partial store would show.
    private const string Good = """{"userId": "USER", "itemId": "sku-1", "event": "view"}""";

    public static TheoryData<string, string> Bodies() => new()
    {
        { "not json", "events: USER sku-1" },
        { "truncated", "{\"events\": [" + Good },
        { "trailing comma", "{\"events\": [" + Good + ",]}" },
        { "single quotes", "{'events': [{'userId': 'USER', 'itemId': 'sku-1', 'event': 'view'}]}" },
        { "array body", "[" + Good + "]" },
        { "event as body", Good },
        { "number body", "42" },
        { "null body", "null" },
        { "whitespace body", "  \n " },
        { "two documents", "{\"events\": [" + Good + "]} {}" },
        { "events missing", """{"event": [{"userId": "USER", "itemId": "sku-1", "event": "view"}]}""" },
        { "events an object", "{\"events\": " + Good + "}" },
        { "events a string", """{"events": "USER"}""" },
        { "events null", """{"events": null}""" },
        { "events empty", """{"events": []}""" },
        { "unknown top-level field", "{\"events\": [" + Good + "], \"userId\": \"USER\"}" },
        { "events twice", "{\"events\": [" + Good + "], \"events\": [" + Good + "]}" },
        { "too many events", "{\"events\": [" + string.Join(",", Enumerable.Repeat(Good, 501)) + "]}" },
        { "too deep", "{\"events\": [" + Good + ", " + new string('[', 40) + new string(']', 40) + "]}" },
        { "invalid escape", "{\"events\": [" + Good + ", \"\\x\"]}" },
        { "over a mebibyte", "{\"events\": [" + Good + ", \"" + new string('x', 1_100_000) + "\"]}" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Each_is_a_400_that_says_what_to_fix_and_stores_nothing(string name, string body)
    {
        var user = $"u-{Guid.NewGuid():N}";

        var answer = await EventsApiTests.PostEventsAsync(serve.Client, body.Replace("USER", user, StringComparison.Ordinal));

        Problem.AssertBadRequest(answer, name);
        using var profile = await serve.Client.GetAsync($"/api/users/{user}");
        Assert.Equal(HttpStatusCode.NotFound, profile.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=latin1")]
    public async Task A_body_that_is_not_JSON_by_its_content_type_is_a_400(string contentType)
    {
        var answer = await Problem.PostAsync(serve.Client, "{\"events\": [" + Good + "]}", contentType, "/api/events");

        Problem.AssertBadRequest(answer, contentType);
    }
}

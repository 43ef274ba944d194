using System.Net;
using System.Text.Json;

namespace Urm.Cli.Tests.Serve;

/// <summary>POST /api/recommend with a userId or sessionId against `urm serve`: the stored profile is the history's start.</summary>
[Collection(ServeCollection.Name)]
public sealed class RecommendByUserTests(ServeFixture serve)
{
    private HttpClient Client => serve.Client;

    private async Task<JsonElement> RecommendAsync(string body)
    {
        var answer = await Problem.PostAsync(Client, body);
        Assert.True(answer.Status == HttpStatusCode.OK, $"expected 200, got {(int)answer.Status}: {answer.Body}");
        return JsonDocument.Parse(answer.Body).RootElement;
    }

    private async Task StoreAsync(string field, string shopper, params string[] items)
    {
        var events = string.Join(", ", items.Select((item, i) => $$"""{"{{field}}": "{{shopper}}", "itemId": "{{item}}", "event": "view", "timestamp": "2026-12-01T10:{{i:00}}:00Z"}"""));
        var answer = await EventsApiTests.PostEventsAsync(Client, $$"""{"events": [{{events}}]}""");
        Assert.True(answer.Status == HttpStatusCode.OK, answer.Body);
    }

    private static string[] ItemIds(JsonElement answer) => answer.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!).ToArray();

    [Fact]
    public async Task A_user_id_reads_the_stored_history_as_if_it_had_been_sent()
    {
        var user = $"u-{Guid.NewGuid():N}";
        await StoreAsync("userId", user, "sku-3", "sku-8", "sku-11");

        var byUser = await RecommendAsync($$"""{"userId": "{{user}}", "k": 6}""");
        var sent = await RecommendAsync("""{"history": ["sku-3", "sku-8", "sku-11"], "k": 6}""");

        Assert.Equal(ItemIds(sent), ItemIds(byUser));
        Assert.Equal((3, 0), (byUser.GetProperty("storedEvents").GetInt32(), byUser.GetProperty("sentEvents").GetInt32()));
        Assert.Equal((0, 3), (sent.GetProperty("storedEvents").GetInt32(), sent.GetProperty("sentEvents").GetInt32()));
    }

    [Fact]
    public async Task Sent_history_comes_after_the_stored_one_whatever_its_timestamps()
    {
        var user = $"u-{Guid.NewGuid():N}";
        await StoreAsync("userId", user, "sku-3", "sku-8");

        // The sent event is stamped before the stored ones; the current session still counts as the newest.
        var both = await RecommendAsync($$"""{"userId": "{{user}}", "history": [{"itemId": "sku-15", "event": "view", "timestamp": "2020-01-01T00:00:00Z"}], "k": 6}""");
        var sent = await RecommendAsync("""{"history": ["sku-3", "sku-8", "sku-15"], "k": 6}""");

        Assert.Equal(ItemIds(sent), ItemIds(both));
        Assert.Equal((2, 1), (both.GetProperty("storedEvents").GetInt32(), both.GetProperty("sentEvents").GetInt32()));
    }

    [Fact]
    public async Task A_session_id_reads_the_anonymous_profile()
    {
        var session = $"s-{Guid.NewGuid():N}";
        await StoreAsync("sessionId", session, "sku-5", "sku-6");

        var bySession = await RecommendAsync($$"""{"sessionId": "{{session}}", "k": 6}""");
        var sent = await RecommendAsync("""{"history": ["sku-5", "sku-6"], "k": 6}""");

        Assert.Equal(ItemIds(sent), ItemIds(bySession));
        Assert.Equal(2, bySession.GetProperty("storedEvents").GetInt32());
    }

    [Fact]
    public async Task An_unknown_user_is_answered_as_with_no_history()
    {
        var unknown = await RecommendAsync($$"""{"userId": "u-{{Guid.NewGuid():N}}", "k": 6}""");
        var none = await RecommendAsync("""{"k": 6}""");

        Assert.Equal(ItemIds(none), ItemIds(unknown));
        Assert.Equal((0, 0), (unknown.GetProperty("storedEvents").GetInt32(), unknown.GetProperty("sentEvents").GetInt32()));
    }
}

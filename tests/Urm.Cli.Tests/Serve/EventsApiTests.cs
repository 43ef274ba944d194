using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Urm.Cli.Tests.Serve;

/// <summary>POST /api/events and GET/DELETE /api/users/{id} against `urm serve`: each test uses shoppers of its own.</summary>
[Collection(ServeCollection.Name)]
public sealed class EventsApiTests(ServeFixture serve)
{
    private HttpClient Client => serve.Client;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    internal static Task<(HttpStatusCode Status, string? MediaType, string Body)> PostEventsAsync(HttpClient client, string body)
        => Problem.PostAsync(client, body, path: "/api/events");

    private async Task<JsonElement> PostOkAsync(string body)
    {
        var answer = await PostEventsAsync(Client, body);
        Assert.True(answer.Status == HttpStatusCode.OK, $"expected 200, got {(int)answer.Status}: {answer.Body}");
        return JsonDocument.Parse(answer.Body).RootElement;
    }

    private async Task<JsonElement?> ProfileAsync(string user)
    {
        using var response = await Client.GetAsync($"/api/users/{Uri.EscapeDataString(user)}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return null;
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string[] Items(JsonElement? profile)
        => profile?.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("itemId").GetString()!).ToArray() ?? [];

    private static string[] Statuses(JsonElement answer)
        => answer.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetString()!).ToArray();

    [Fact]
    public async Task Events_in_are_the_profile_read_back_newest_last()
    {
        var user = NewId("u");

        var answer = await PostOkAsync($$"""
            {"events": [
              {"eventId": "e-2", "userId": "{{user}}", "itemId": "sku-2", "event": "cart", "timestamp": "2026-12-01T10:02:00Z", "recommendationId": "rec-1"},
              {"eventId": "e-1", "userId": "{{user}}", "itemId": "sku-1", "event": "view", "timestamp": "2026-12-01T10:01:00Z"},
              {"userId": "{{user}}", "itemId": "sku-3", "event": "Purchase", "timestamp": 1796119380}]}
            """);

        Assert.Equal(3, answer.GetProperty("accepted").GetInt32());
        Assert.Equal(["accepted", "accepted", "accepted"], Statuses(answer));
        var profile = await ProfileAsync(user);
        Assert.Equal(user, profile!.Value.GetProperty("userId").GetString());
        Assert.Equal(["sku-1", "sku-2", "sku-3"], Items(profile));
        var cart = profile.Value.GetProperty("events")[1];
        Assert.Equal("e-2", cart.GetProperty("eventId").GetString());
        Assert.Equal("cart", cart.GetProperty("event").GetString());
        Assert.Equal("rec-1", cart.GetProperty("recommendationId").GetString());
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 2, 0, TimeSpan.Zero), cart.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal("purchase", profile.Value.GetProperty("events")[2].GetProperty("event").GetString());
    }

    [Fact]
    public async Task An_event_without_a_timestamp_is_stamped_now()
    {
        var user = NewId("u");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        await PostOkAsync($$"""{"events": [{"userId": "{{user}}", "itemId": "sku-1", "event": "view"}]}""");

        var stamped = (await ProfileAsync(user))!.Value.GetProperty("events")[0].GetProperty("timestamp").GetDateTimeOffset();
        Assert.InRange(stamped, before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task A_duplicate_event_id_is_stored_once()
    {
        var user = NewId("u");
        var body = $$"""{"events": [{"eventId": "e-1", "userId": "{{user}}", "itemId": "sku-1", "event": "click"}]}""";

        var first = await PostOkAsync(body);
        var second = await PostOkAsync(body);
        var both = await PostOkAsync($$"""{"events": [{"eventId": "e-2", "userId": "{{user}}", "itemId": "sku-2", "event": "view"}, {"eventId": "e-2", "userId": "{{user}}", "itemId": "sku-2", "event": "view"}]}""");

        Assert.Equal(["accepted"], Statuses(first));
        Assert.Equal(["duplicate"], Statuses(second));
        Assert.Equal(1, second.GetProperty("duplicates").GetInt32());
        Assert.Equal(["accepted", "duplicate"], Statuses(both));
        Assert.Equal(["sku-1", "sku-2"], Items(await ProfileAsync(user)));
    }

    [Fact]
    public async Task A_bad_event_is_rejected_with_its_field_and_the_good_ones_are_kept()
    {
        var user = NewId("u");

        var answer = await PostOkAsync($$"""
            {"events": [
              {"userId": "{{user}}", "itemId": "sku-1", "event": "view"},
              {"userId": "{{user}}", "itemId": 7, "event": "teleport"},
              "sku-2",
              {"userId": "{{user}}", "itemId": "sku-3", "event": "view", "colour": "red"},
              {"userId": "{{user}}", "itemId": "sku-4", "event": "click"}]}
            """);

        Assert.Equal(["accepted", "rejected", "rejected", "rejected", "accepted"], Statuses(answer));
        var fields = answer.GetProperty("results")[1].GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()!).ToArray();
        Assert.Equal(["events[1].itemId", "events[1].event"], fields);
        Assert.Equal("events[2]", answer.GetProperty("results")[2].GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("events[3].colour", answer.GetProperty("results")[3].GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(["sku-1", "sku-4"], Items(await ProfileAsync(user)));
    }

    [Fact]
    public async Task A_batch_whose_every_event_is_rejected_is_a_400_naming_each_event_and_field()
    {
        var user = NewId("u");

        var answer = await PostEventsAsync(Client, $$"""{"events": [{"userId": "{{user}}", "event": "view"}, {"itemId": "sku-1", "event": "view"}]}""");

        var problem = Problem.AssertBadRequest(answer, "every event rejected");
        var fields = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()!).ToArray();
        Assert.Equal(["events[0].itemId", "events[1].userId"], fields);
        Assert.Null(await ProfileAsync(user));
    }

    [Fact]
    public async Task An_event_with_a_session_and_a_user_merges_the_anonymous_session_into_the_user()
    {
        var (user, session) = (NewId("u"), NewId("s"));
        await PostOkAsync($$"""{"events": [{"sessionId": "{{session}}", "itemId": "sku-1", "event": "view", "timestamp": "2026-12-01T10:01:00Z"}, {"sessionId": "{{session}}", "itemId": "sku-2", "event": "cart", "timestamp": "2026-12-01T10:02:00Z"}]}""");
        Assert.Null(await ProfileAsync(user));

        var signIn = await PostOkAsync($$"""{"events": [{"userId": "{{user}}", "sessionId": "{{session}}", "itemId": "sku-3", "event": "purchase", "timestamp": "2026-12-01T10:03:00Z"}]}""");

        Assert.Equal(["accepted"], Statuses(signIn));
        var profile = await ProfileAsync(user);
        Assert.Equal(["sku-1", "sku-2", "sku-3"], Items(profile));
        Assert.All(profile!.Value.GetProperty("events").EnumerateArray(), e => Assert.Equal(session, e.GetProperty("sessionId").GetString()));
    }

    [Fact]
    public async Task Erasure_removes_the_profile_and_all_its_events()
    {
        var (user, other) = (NewId("u"), NewId("u"));
        await PostOkAsync($$"""{"events": [{"eventId": "e-1", "userId": "{{user}}", "itemId": "sku-1", "event": "view"}, {"userId": "{{user}}", "itemId": "sku-2", "event": "view"}, {"userId": "{{other}}", "itemId": "sku-3", "event": "view"}]}""");

        using var erase = await Client.DeleteAsync($"/api/users/{user}");
        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        Assert.Equal(2, (await erase.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("erasedEvents").GetInt32());

        Assert.Null(await ProfileAsync(user));
        Assert.Equal(["sku-3"], Items(await ProfileAsync(other)));
        // Erased means gone: the same event id is new again, and erasing again finds nothing.
        Assert.Equal(["accepted"], Statuses(await PostOkAsync($$"""{"events": [{"eventId": "e-1", "userId": "{{user}}", "itemId": "sku-1", "event": "view"}]}""")));
        using var again = await Client.DeleteAsync($"/api/users/{other}");
        using var twice = await Client.DeleteAsync($"/api/users/{other}");
        Assert.Equal(0, (await twice.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("erasedEvents").GetInt32());
    }

    /// <summary>The archive's lines of <paramref name="shopper"/> (user_id), read as `urm train` reads them.</summary>
    private async Task<List<Urm.Core.Events.UserEvent>> ArchivedAsync(string shopper)
    {
        var events = new List<Urm.Core.Events.UserEvent>();
        var folder = Path.Combine(serve.Folder, "events");
        if (!Directory.Exists(folder)) return events;
        foreach (var file in Directory.GetFiles(folder, "*.jsonl", SearchOption.AllDirectories))
            await foreach (var e in Urm.Core.Events.EventReader.ReadAsync(file, new Urm.Core.Catalog.ReadReport(), default))
                if (e.UserId == shopper) events.Add(e);
        return events;
    }

    [Fact]
    public async Task Accepted_events_are_written_once_to_the_events_folder_for_training_and_erased_with_the_user()
    {
        var (user, session) = (NewId("u"), NewId("s"));
        var today = DateTime.UtcNow;

        await PostOkAsync($$"""{"events": [{"eventId": "e-1", "userId": "{{user}}", "itemId": "sku-1", "event": "cart", "timestamp": "2026-12-01T10:00:00Z"}, {"sessionId": "{{session}}", "itemId": "sku-2", "event": "view"}, {"userId": "{{user}}", "itemId": "sku-3", "event": "nope"}]}""");
        await PostOkAsync($$"""{"events": [{"eventId": "e-1", "userId": "{{user}}", "itemId": "sku-1", "event": "cart"}]}""");

        var archived = await ArchivedAsync(user);
        Assert.Equal(new Urm.Core.Events.UserEvent(user, "sku-1", Urm.Core.Events.EventType.Cart, new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero)), Assert.Single(archived));
        Assert.Single(await ArchivedAsync(session));
        Assert.Contains(Directory.GetDirectories(Path.Combine(serve.Folder, "events"), "*", SearchOption.AllDirectories),
            d => d.EndsWith(Path.Combine(today.ToString("yyyy"), today.ToString("MM"), today.ToString("dd")), StringComparison.Ordinal));

        using var erase = await Client.DeleteAsync($"/api/users/{user}");
        Assert.Equal(1, (await erase.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("erasedArchiveLines").GetInt32());
        Assert.Empty(await ArchivedAsync(user));
        Assert.Single(await ArchivedAsync(session));
    }

    [Fact]
    public async Task Erasing_a_user_leaves_no_recommendation_record_naming_the_user_or_their_merged_session()
    {
        var (user, session) = (NewId("u"), NewId("s"));
        var from = DateTimeOffset.UtcNow;
        await PostOkAsync($$"""{"events": [{"sessionId": "{{session}}", "itemId": "sku-1", "event": "view"}]}""");
        foreach (var shopper in new[] { $"\"sessionId\": \"{session}\"", $"\"userId\": \"{user}\"", $"\"userId\": \"{user}\", \"sessionId\": \"{session}\"" })
        {
            var recommend = await Problem.PostAsync(Client, $$"""{ {{shopper}}, "history": ["sku-3"], "k": 3}""");
            Assert.True(recommend.Status == HttpStatusCode.OK, recommend.Body);
        }
        await PostOkAsync($$"""{"events": [{"userId": "{{user}}", "sessionId": "{{session}}", "itemId": "sku-2", "event": "click"}]}""");
        var log = await Urm.Core.Kpi.SqliteRecommendationLog.OpenAsync(Path.Combine(serve.Folder, "urm.db"), default);
        async Task<List<Urm.Core.Kpi.RecommendationRecord>> RecordsAsync()
            => await log.ReadAsync(from, DateTimeOffset.UtcNow.AddSeconds(1), default).Where(r => r.UserId == user || r.SessionId == session).ToListAsync();
        Assert.Equal(3, (await RecordsAsync()).Count);

        using var erase = await Client.DeleteAsync($"/api/users/{user}");

        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        Assert.Equal(3, (await erase.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("anonymisedRecommendations").GetInt32());
        Assert.Empty(await RecordsAsync());
    }

    [Fact]
    public async Task A_user_id_over_the_limit_is_a_400()
    {
        using var response = await Client.GetAsync($"/api/users/{new string('u', 300)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}

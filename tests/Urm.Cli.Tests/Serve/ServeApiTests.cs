using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Urm.Cli.Tests.Serve;

[Collection(ServeCollection.Name)]
public sealed class ServeApiTests(ServeFixture serve)
{
    private HttpClient Client => serve.Client;

    private static string Ids(params int[] numbers) => string.Join(", ", numbers.Select(n => $"\"sku-{n}\""));

    private async Task<JsonElement> RecommendAsync(string body)
    {
        var answer = await Problem.PostAsync(Client, body);
        Assert.True(answer.Status == HttpStatusCode.OK, $"expected 200, got {(int)answer.Status}: {answer.Body}");
        Assert.Equal("application/json", answer.MediaType);
        return JsonDocument.Parse(answer.Body).RootElement;
    }

    private static string[] ItemIds(JsonElement answer) => answer.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!).ToArray();

    [Theory]
    [InlineData("next-item", "")]
    [InlineData("next-purchase", "")]
    [InlineData("similar", ", \"anchorItemId\": \"sku-5\"")]
    [InlineData("search", ", \"query\": \"warm wool socks\"")]
    [InlineData("explore", "")]
    [InlineData("NEXT-ITEM", "")]
    public async Task Every_task_answers_k_items_with_reasons(string task, string extra)
    {
        var answer = await RecommendAsync($$"""{"history": [{{Ids(1, 2, 3)}}], "task": "{{task}}", "k": 5{{extra}} }""");

        var items = answer.GetProperty("items").EnumerateArray().ToArray();
        Assert.InRange(items.Length, 1, 5);
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("modelVersion").GetString()));
        Assert.Equal(JsonValueKind.Number, answer.GetProperty("elapsedMs").ValueKind);
        foreach (var item in items)
        {
            Assert.StartsWith("sku-", item.GetProperty("itemId").GetString());
            Assert.False(string.IsNullOrEmpty(item.GetProperty("title").GetString()));
            Assert.InRange(item.GetProperty("interest").GetInt32(), 0, 1);
        }
        if (task is not "similar") Assert.Equal(5, items.Length);
    }

    [Fact]
    public async Task The_category_task_answers_only_from_its_category()
    {
        var category = serve.Model.Items[0].Category!;
        var inCategory = serve.Model.Items.Where(i => i.Category == category).Select(i => i.Id).ToHashSet();

        var answer = await RecommendAsync($$"""{"history": [{{Ids(1, 2)}}], "task": "category", "category": "{{category}}", "k": 20, "rules": {"excludeSeen": false, "availableOnly": false} }""");

        Assert.NotEmpty(ItemIds(answer));
        Assert.All(ItemIds(answer), id => Assert.Contains(id, inCategory));
    }

    [Fact]
    public async Task History_objects_and_plain_ids_give_the_same_answer()
    {
        var plain = await RecommendAsync($$"""{"history": [{{Ids(4, 5, 6)}}], "k": 8}""");
        var objects = await RecommendAsync("""{"history": [{"itemId": "sku-4"}, {"itemId": "sku-5", "event": "view"}, {"itemId": "sku-6", "event": null}], "k": 8}""");

        Assert.Equal(ItemIds(plain), ItemIds(objects));
    }

    [Fact]
    public async Task Rules_exclude_seen_and_listed_items_and_respect_the_price_band()
    {
        var answer = await RecommendAsync($$"""{"history": [{{Ids(1, 2, 3)}}], "k": 20, "rules": {"excludeIds": ["sku-7", "sku-8"], "priceMin": 0, "priceMax": 1000000, "availableOnly": false} }""");

        var ids = ItemIds(answer);
        Assert.DoesNotContain("sku-1", ids);
        Assert.DoesNotContain("sku-7", ids);
        Assert.DoesNotContain("sku-8", ids);
        Assert.Equal(ids.Length, ids.Distinct().Count());

        var seenKept = await RecommendAsync($$"""{"history": [{{Ids(1)}}], "k": 20, "rules": {"excludeSeen": false, "availableOnly": false} }""");
        Assert.Contains("sku-1", ItemIds(seenKept));

        var nothingCheap = await RecommendAsync($$"""{"history": [{{Ids(1)}}], "k": 5, "rules": {"priceMax": 0.001} }""");
        Assert.Empty(ItemIds(nothingCheap));
    }

    [Fact]
    public async Task Category_allow_and_deny_lists_apply()
    {
        var category = serve.Model.Items[0].Category!;

        var allowed = await RecommendAsync($$"""{"history": [{{Ids(1)}}], "k": 20, "rules": {"categories": ["{{category}}"], "availableOnly": false, "excludeSeen": false} }""");
        var denied = await RecommendAsync($$"""{"history": [{{Ids(1)}}], "k": 20, "rules": {"excludeCategories": ["{{category}}"], "availableOnly": false, "excludeSeen": false} }""");

        var inCategory = serve.Model.Items.Where(i => i.Category == category).Select(i => i.Id).ToHashSet();
        Assert.All(ItemIds(allowed), id => Assert.Contains(id, inCategory));
        Assert.All(ItemIds(denied), id => Assert.DoesNotContain(id, inCategory));
    }

    [Fact]
    public async Task Unknown_items_are_listed_once_and_do_not_fail_the_request()
    {
        var answer = await RecommendAsync("""{"history": ["nope-1", "sku-2", "nope-1", "nope-2"], "k": 3}""");

        Assert.Equal(["nope-1", "nope-2"], answer.GetProperty("unknownItems").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(3, ItemIds(answer).Length);
    }

    [Fact]
    public async Task An_empty_history_still_answers()
    {
        var answer = await RecommendAsync("""{"history": [], "k": 4}""");
        Assert.Equal(4, ItemIds(answer).Length);
        Assert.All(answer.GetProperty("items").EnumerateArray(), i => Assert.Equal(JsonValueKind.Null, i.GetProperty("because").ValueKind));

        var noBody = await RecommendAsync("{}");
        Assert.Equal(10, ItemIds(noBody).Length);
    }

    [Fact]
    public async Task Items_are_served_by_id_and_unknown_ids_are_404_problems()
    {
        var item = await Client.GetFromJsonAsync<JsonElement>("/api/items/sku-3");
        Assert.Equal("sku-3", item.GetProperty("id").GetString());
        Assert.Equal(serve.Model.Items.Single(i => i.Id == "sku-3").Title, item.GetProperty("title").GetString());
        Assert.False(item.TryGetProperty("vector", out _));

        using var missing = await Client.GetAsync("/api/items/no-such-item");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-such-item", await missing.Content.ReadAsStringAsync());

        using var tooLong = await Client.GetAsync("/api/items/" + new string('x', 300));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("application/problem+json", tooLong.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_reports_model_cards_catalog_and_provider()
    {
        var health = await Client.GetFromJsonAsync<JsonElement>("/api/health");

        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(health.GetProperty("modelVersion").GetString()));
        Assert.True(health.GetProperty("cardCount").GetInt32() >= ServeModel.ItemCount);
        Assert.True(health.GetProperty("catalogVersion").GetInt64() > 0);
        Assert.Equal("cpu", health.GetProperty("executionProvider").GetString());
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_routes_and_matches_the_committed_copy()
    {
        var served = await Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = served.GetProperty("paths").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(["/api/events", "/api/health", "/api/items/{id}", "/api/kpi", "/api/recommend", "/api/users/{id}"], paths);

        var committed = Path.Combine(Repository.Root(), "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable("URM_WRITE_OPENAPI") == "1")
            await File.WriteAllTextAsync(committed, JsonSerializer.Serialize(served, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        var copy = JsonDocument.Parse(await File.ReadAllTextAsync(committed)).RootElement;
        Assert.Equal(paths, copy.GetProperty("paths").EnumerateObject().Select(p => p.Name).Order().ToArray());
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_problems()
    {
        using var route = await Client.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, route.StatusCode);
        using var method = await Client.GetAsync("/api/recommend");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
    }
}

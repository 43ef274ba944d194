using System.Net;
using System.Text.Json;

namespace Urm.Cli.Tests.Serve;

/// <summary>Recommend by user id on the planted shop: a user whose stored history is all one category gets that category.</summary>
[Collection(PlantedShopCollection.Name)]
public sealed class PlantedPatternTests(PlantedServeFixture serve)
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_user_whose_stored_history_is_all_one_category_gets_that_category(int department)
    {
        var category = PlantedShopModel.Categories[department];
        var inCategory = serve.Model.Items.Where(i => i.Category == category).Select(i => i.Id).ToList();
        var seen = inCategory.Take(4).ToArray();
        var user = $"u-{Guid.NewGuid():N}";
        var events = string.Join(", ", seen.Select((item, i) => $$"""{"userId": "{{user}}", "itemId": "{{item}}", "event": "view", "timestamp": "2026-12-01T10:0{{i}}:00Z"}"""));
        var posted = await EventsApiTests.PostEventsAsync(serve.Client, $$"""{"events": [{{events}}]}""");
        Assert.True(posted.Status == HttpStatusCode.OK, posted.Body);

        // The request names the user only: the category can come from nowhere but the stored history.
        var answer = await Problem.PostAsync(serve.Client, $$"""{"userId": "{{user}}", "k": 5, "rules": {"availableOnly": false} }""");

        Assert.True(answer.Status == HttpStatusCode.OK, answer.Body);
        var result = JsonDocument.Parse(answer.Body).RootElement;
        Assert.Equal(seen.Length, result.GetProperty("storedEvents").GetInt32());
        var ids = result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!).ToArray();
        // Chance is 6 of the 26 unseen items (23 %); the planted pattern must give a clear majority.
        var share = ids.Count(inCategory.Contains) / (double)ids.Length;
        Assert.True(share >= 0.8, $"{category}: got {string.Join(", ", ids)}, {share:P0} in the category");
        Assert.DoesNotContain(ids, seen.Contains);
    }
}

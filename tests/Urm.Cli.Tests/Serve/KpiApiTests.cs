using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Urm.Cli.Tests.Serve;

/// <summary>GET /api/kpi against `urm serve`: a recommendation, a click on what it showed, and the report that counts it.</summary>
[Collection(ServeCollection.Name)]
public sealed class KpiApiTests(ServeFixture serve)
{
    private HttpClient Client => serve.Client;

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));

    private async Task<(HttpStatusCode Status, string? MediaType, string Body)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_click_on_a_shown_item_naming_the_recommendation_makes_a_click_through_rate_of_one()
    {
        var user = $"u-{Guid.NewGuid():N}";
        // The collection's other tests serve too: the range brackets this test's one answer.
        var from = DateTimeOffset.UtcNow;
        var recommend = await Problem.PostAsync(Client, $$"""{"userId": "{{user}}", "history": ["sku-3", "sku-8"], "k": 4}""");
        var to = DateTimeOffset.UtcNow.AddTicks(1);
        Assert.True(recommend.Status == HttpStatusCode.OK, recommend.Body);
        var answer = JsonDocument.Parse(recommend.Body).RootElement;
        var id = answer.GetProperty("recommendationId").GetString()!;
        Assert.Matches("^r-[0-9a-f]{16}$", id);
        var shown = answer.GetProperty("items")[1].GetProperty("itemId").GetString()!;

        // Twice, as a client retrying without an eventId would: still one recommendation clicked.
        for (var i = 0; i < 2; i++)
        {
            var click = await EventsApiTests.PostEventsAsync(Client, $$"""{"events": [{"userId": "{{user}}", "itemId": "{{shown}}", "event": "click", "recommendationId": "{{id}}"}]}""");
            Assert.True(click.Status == HttpStatusCode.OK, click.Body);
        }

        var kpi = await GetAsync($"/api/kpi?from={Iso(from)}&to={Iso(to)}");
        Assert.True(kpi.Status == HttpStatusCode.OK, kpi.Body);
        var report = JsonDocument.Parse(kpi.Body).RootElement;
        Assert.Equal(24, report.GetProperty("attributionWindowHours").GetDouble());
        var row = Assert.Single(report.GetProperty("rows").EnumerateArray());
        Assert.Equal(answer.GetProperty("modelVersion").GetString(), row.GetProperty("modelVersion").GetString());
        Assert.Equal("next-item", row.GetProperty("task").GetString());
        Assert.Equal(1, row.GetProperty("served").GetInt32());
        Assert.Equal(answer.GetProperty("items").GetArrayLength(), row.GetProperty("itemsShown").GetInt32());
        Assert.Equal((1, 1.0), (row.GetProperty("click").GetProperty("recommendations").GetInt32(), row.GetProperty("click").GetProperty("rate").GetDouble()));
        Assert.Equal(0.0, row.GetProperty("purchase").GetProperty("rate").GetDouble());
    }

    [Theory]
    [InlineData("from=last-week", "from")]
    [InlineData("to=2026-02-30", "to")]
    [InlineData("from=2026-05-02&to=2026-05-01", "from")]
    public async Task A_bad_range_is_a_400_problem_naming_the_field(string query, string field)
    {
        var problem = Problem.AssertBadRequest(await GetAsync($"/api/kpi?{query}"), query);
        Assert.Equal(field, Assert.Single(problem.GetProperty("errors").EnumerateArray()).GetProperty("field").GetString());
    }
}

using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Urm.Azure.Tests.Servers;
using Urm.Core.Kpi;
using Urm.Functions.Triggers;
using Urm.Http.Serving;

namespace Urm.Functions.Tests;

/// <summary>
/// GetKpi as the app composes it (AddUrmFunctions with CardStore__Kind cosmos): the stand-in's recommendations
/// container, the events posted through PostEvents into Azurite's archive.
/// </summary>
public sealed class KpiFunctionTests : IAsyncLifetime
{
    private CosmosStandIn _cosmos = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _cosmos = await CosmosStandIn.CreateAsync();
        _services = await CosmosFunctionsApp.BuildAsync(_cosmos, recordsTtl: TimeSpan.FromDays(90));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _cosmos.DisposeAsync();
    }

    private Task<(int Status, string? MediaType, string Body)> GetKpiAsync(string query)
        => FunctionCall.InvokeAsync(_services, c =>
        {
            c.Request.QueryString = new QueryString(query);
            return new GetKpi(_services.GetRequiredService<KpiServing>()).RunAsync(c.Request, default);
        }, "GET");

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_recorded_recommendation_and_a_click_on_it_read_back_as_a_click_through_rate_of_one()
    {
        var served = DateTimeOffset.UtcNow;
        var id = RecommendationRecord.NewId();
        await _services.GetRequiredService<IRecommendationLog>().RecordAsync(new RecommendationRecord(id, served, "m1", "next-item", "u-1", null, 2, ["sku-1", "sku-2"]), default);
        var profiles = _services.GetRequiredService<ProfileServing>();
        var click = await FunctionCall.InvokeAsync(_services, c => new PostEvents(profiles).RunAsync(c.Request, default), "POST",
            $$"""{"events": [{"userId": "u-1", "itemId": "sku-2", "event": "click", "recommendationId": "{{id}}"}]}""");
        Assert.True(click.Status == 200, click.Body);

        var (status, _, body) = await GetKpiAsync($"?from={Iso(served)}&to={Iso(served.AddSeconds(1))}");

        Assert.True(status == 200, body);
        var row = Assert.Single(JsonDocument.Parse(body).RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal(("m1", 1, 2), (row.GetProperty("modelVersion").GetString(), row.GetProperty("served").GetInt32(), row.GetProperty("itemsShown").GetInt32()));
        Assert.Equal(1.0, row.GetProperty("click").GetProperty("rate").GetDouble());
    }

    [Fact]
    public async Task A_bad_to_is_a_400_problem_naming_it()
    {
        var (status, mediaType, body) = await GetKpiAsync("?to=tomorrow");

        Assert.Equal((400, "application/problem+json"), (status, mediaType));
        Assert.Equal("to", JsonDocument.Parse(body).RootElement.GetProperty("errors")[0].GetProperty("field").GetString());
    }
}

using System.Text.Json.Nodes;

namespace Urm.Infra.Tests;

/// <summary>
/// The workbook that shows the app's metrics (docs/OPERATIONS.md, "Telemetry") is deployed with the
/// Application Insights component on both plans, its queries are the files in bicep/workbook/, and the
/// doc shows the same queries.
/// </summary>
[Collection(CompiledTemplatesCollection.Name)]
public sealed class WorkbookTests(CompiledTemplates compiled)
{
    public static TheoryData<string> Plans => new(CompiledTemplates.Plans);

    /// <summary>The query files, by name (without .kql), in the order the workbook shows them.</summary>
    public static IReadOnlyList<string> QueryNames { get; } =
        ["recommend-latency-percentiles", "recommend-latency-mean", "events-ingested", "catalog-runs", "cards-served"];

    public static string QueryText(string name) => File.ReadAllText(Path.Combine(Repository.Root(), "bicep", "workbook", name + ".kql"));

    [Theory]
    [MemberData(nameof(Plans))]
    public void A_shared_workbook_over_the_component_is_deployed(string plan)
    {
        var snapshot = compiled.Snapshots[plan];
        var workbook = snapshot.Single("Microsoft.Insights/workbooks");
        var component = snapshot.Single("Microsoft.Insights/components");

        Assert.Equal("shared", (string?)workbook["kind"]);
        Assert.Equal((string)component["id"]!, (string?)workbook["properties"]!["sourceId"]);
        Assert.Equal((string)component["location"]!, (string?)workbook["location"]);
        // A workbook's name must be a GUID; a stable one, so a redeployment updates it rather than adding another.
        Assert.True(Guid.TryParse((string)workbook["name"]!, out _));
        var content = Content(workbook);
        Assert.Equal("Notebook/1.0", (string?)content["version"]);
        Assert.Equal([(string)component["id"]!], content["fallbackResourceIds"]!.AsArray().Select(r => (string)r!));
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Its_queries_are_the_query_files_over_its_time_range(string plan)
    {
        var items = Content(compiled.Snapshots[plan].Single("Microsoft.Insights/workbooks"))["items"]!.AsArray().Select(i => i!).ToList();

        var parameter = Assert.Single(items, i => (int)i["type"]! == 9)["content"]!["parameters"]!.AsArray().Single()!;
        Assert.Equal("TimeRange", (string?)parameter["name"]);
        var queries = items.Where(i => (int)i["type"]! == 3).ToList();
        Assert.Equal(QueryNames, queries.Select(q => (string)q["name"]!));
        foreach (var query in queries)
        {
            var content = query["content"]!;
            Assert.Equal(QueryText((string)query["name"]!), (string?)content["query"]);
            Assert.Contains("| where timestamp {TimeRange}", (string)content["query"]!);
            Assert.Equal("TimeRange", (string?)content["timeContextFromParameter"]);
            Assert.Equal("microsoft.insights/components", (string?)content["resourceType"]);
        }
    }

    [Fact]
    public void The_operations_doc_shows_every_query_as_deployed()
    {
        var doc = File.ReadAllText(Path.Combine(Repository.Root(), "docs", "OPERATIONS.md"));
        Assert.All(QueryNames, name => Assert.Contains($"```kusto\n{QueryText(name).TrimEnd('\n')}\n```", doc));
    }

    private static JsonNode Content(JsonObject workbook) => JsonNode.Parse((string)workbook["properties"]!["serializedData"]!)!;
}

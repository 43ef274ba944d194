using Urm.Core.Catalog;

namespace Urm.Core.Tests.Catalog;

/// <summary>Each bad row is reported on its own line with an actionable reason, and its neighbours survive.</summary>
public class CatalogRowRejectionTests
{
    private const string Before = """{"id":"before","title":"Before"}""";
    private const string After = """{"id":"after","title":"After"}""";

    public static TheoryData<string, string> BadJsonLines => new()
    {
        { """{"title":"no id"}""", "'id' is missing" },
        { """{"id":"  ","title":"blank id"}""", "'id' is missing" },
        { """{"id":true,"title":"t"}""", "'id' must be a string or a number, not the boolean true" },
        { """{"id":"x"}""", "'title' is missing" },
        { """{"id":"x","title":null}""", "'title' is missing" },
        { """{"id":"x","title":5}""", "'title' must be a string, not the number 5" },
        { """{"id":"x","title":"t","price":"cheap"}""", "'price' must be a number written like 12.5, not \"cheap\"" },
        { """{"id":"x","title":"t","price":-1}""", "'price' must not be negative" },
        { """{"id":"x","title":"t","price":"NaN"}""", "'price' must be a finite number" },
        { """{"id":"x","title":"t","price":1e400}""", "'price' must be a finite number" },
        { """{"id":"x","title":"t","price":[1]}""", "'price' must be a number, not an array" },
        { """{"id":"x","title":"t","attributes":[1]}""", "'attributes' must be a JSON object of string to string, not an array" },
        { """{"id":"x","title":"t","attributes":{"a":{"b":"c"}}}""", "'attributes' value of 'a' must be a string, not an object" },
        { """{"id":"x","title":"t","attributes":{"  ":"c"}}""", "'attributes' has an empty key" },
        { """{"id":"x","title":"t","available":"maybe"}""", "'available' must be true/false (or 1/0, yes/no), not \"maybe\"" },
        { """{"id":"x","title":"t","available":{}}""", "'available' must be true/false" },
        { """[1,2]""", "must be one JSON object {...}, this one is a JSON array" },
        { "\"just text\"", "this one is a JSON string" },
        { """{"id":"x","title":""", "not valid JSON" },
        { "not json at all", "not valid JSON" },
        { """{"id":"x","title":"t","image":"ftp://host/a.jpg"}""", "scheme 'ftp:'" },
        { """{"id":"x","title":"t","image":"javascript:alert(1)"}""", "scheme 'javascript:'" },
        { """{"id":"x","title":"t","image":"data:image/png;base64,AAAA"}""", "scheme 'data:'" },
        { """{"id":"x","title":"t","image":"file:///etc/passwd"}""", "scheme 'file:'" },
        { """{"id":"x","title":"t","image":"img/a\u0000.jpg"}""", "control character" },
        { """{"id":"x","title":"t","image":"img/\ta.jpg"}""", "control character" },
        { """{"id":"x","title":"t","image":"../secrets/a.jpg"}""", "climbs out" },
        { """{"id":"x","title":"t","image":"img/../../a.jpg"}""", "climbs out" },
        { """{"id":"x","title":"t","image":"http://"}""", "not a well-formed http URL" },
        { """{"id":"x","title":"t","image":"//cdn.example.com/a.jpg"}""", "protocol-relative" },
    };

    public static TheoryData<string, string> OversizedFields => new()
    {
        { $$"""{"id":"{{new string('i', 257)}}","title":"t"}""", "'id' is 257 characters long; the limit is 256" },
        { $$"""{"id":"x","title":"{{new string('t', 1001)}}"}""", "'title' is 1001 characters long; the limit is 1000" },
        { $$"""{"id":"x","title":"t","description":"{{new string('d', 20_001)}}"}""", "'description' is 20001 characters long; the limit is 20000" },
        { $$"""{"id":"x","title":"t","category":"{{new string('c', 1001)}}"}""", "'category' is 1001 characters long" },
        { $$"""{"id":"x","title":"t","brand":"{{new string('b', 201)}}"}""", "'brand' is 201 characters long; the limit is 200" },
        { $$"""{"id":"x","title":"t","image":"img/{{new string('p', 2045)}}"}""", "'image' is 2049 characters long; the limit is 2048" },
        { $$$"""{"id":"x","title":"t","attributes":{"{{{new string('k', 101)}}}":"v"}}""", "key \"kkkkkkkkkkkkkkkkkkkk…\" is 101 characters long; the limit is 100" },
        { $$$"""{"id":"x","title":"t","attributes":{"k":"{{{new string('v', 1001)}}}"}}""", "value of 'k' is 1001 characters long; the limit is 1000" },
        { "{\"id\":\"x\",\"title\":\"t\",\"attributes\":{" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"k{i}\":\"v\"")) + "}}", "'attributes' has 101 entries; the limit is 100" },
    };

    [Theory]
    [MemberData(nameof(BadJsonLines))]
    [MemberData(nameof(OversizedFields))]
    public async Task A_bad_json_line_is_reported_on_its_line_and_its_neighbours_survive(string line, string reason)
    {
        var (items, report) = await CatalogRead.JsonLinesAsync(Before, line, After);

        Assert.Equal(["before", "after"], items.Select(i => i.Id));
        var error = Assert.Single(report.Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains(reason, error.Reason);
        Assert.Equal((3, 2, 1), (report.RowsRead, report.Accepted, report.Rejected));
    }

    [Fact]
    public async Task The_error_names_the_id_when_the_row_has_one()
    {
        var (_, report) = await CatalogRead.JsonLinesAsync(Before, """{"id":"sku-9","title":"t","price":"cheap"}""");

        Assert.Equal("sku-9", Assert.Single(report.Errors).ItemId);
    }

    [Theory]
    [InlineData("img/a.jpg")]
    [InlineData("a/../b.jpg")]
    [InlineData("/srv/images/a.jpg")]
    [InlineData(@"C:\images\a.jpg")]
    [InlineData("https://cdn.example.com/a.jpg?w=200")]
    [InlineData("HTTP://cdn.example.com/a.jpg")]
    public async Task Usable_image_references_are_kept(string image)
    {
        var (items, report) = await CatalogRead.JsonLinesAsync(
            $$"""{"id":"x","title":"t","image":{{System.Text.Json.JsonSerializer.Serialize(image)}}}""");

        Assert.Empty(report.Errors);
        Assert.Equal(image, Assert.Single(items).Image);
    }
}

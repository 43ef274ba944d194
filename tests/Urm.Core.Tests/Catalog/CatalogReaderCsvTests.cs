using System.Text;
using Urm.Core.Catalog;

namespace Urm.Core.Tests.Catalog;

public class CatalogReaderCsvTests
{
    private const string Header = "id,title,description,category,brand,price,attributes,image,available";

    [Fact]
    public async Task Csv_and_json_lines_give_equal_items_for_the_same_data()
    {
        var (fromCsv, csvReport) = await CatalogRead.CsvAsync(
            Header,
            """ sku-1 , Red shoe ,, Shoes > Running ,Acme,12.5,"{""color"":""red"",""size"":""42""}",img/sku-1.jpg,no""",
            "123,Blue shoe,\"Soft, light\",,,0,,https://cdn.example.com/b.jpg,",
            "sku-3,Hat,,,,,,,1");
        var (fromJson, jsonReport) = await CatalogRead.JsonLinesAsync(
            """{"id":"sku-1","title":"Red shoe","category":"Shoes > Running","brand":"Acme","price":12.5,"attributes":{"color":"red","size":"42"},"image":"img/sku-1.jpg","available":false}""",
            """{"id":123,"title":"Blue shoe","description":"Soft, light","price":0,"image":"https://cdn.example.com/b.jpg"}""",
            """{"id":"sku-3","title":"Hat","available":true}""");

        Assert.Empty(csvReport.Errors);
        Assert.Empty(jsonReport.Errors);
        Assert.Equal(3, fromCsv.Count);
        Assert.Equivalent(fromJson, fromCsv, strict: true);
        Assert.Equal(fromJson.Select(ContentHash.Compute), fromCsv.Select(ContentHash.Compute));
    }

    [Fact]
    public async Task Unknown_columns_are_ignored_and_header_names_are_case_insensitive()
    {
        var (items, report) = await CatalogRead.CsvAsync("Supplier, ID ,Title", "x,a,A");

        Assert.Empty(report.Errors);
        Assert.Equal(("a", "A"), (Assert.Single(items).Id, items[0].Title));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("FALSE", false)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("Yes", true)]
    [InlineData("no", false)]
    [InlineData("", true)]
    public async Task Available_accepts_the_usual_spellings(string cell, bool expected)
    {
        var (items, _) = await CatalogRead.CsvAsync("id,title,available", $"a,A,{cell}");

        Assert.Equal(expected, Assert.Single(items).Available);
    }

    public static TheoryData<string, string> BadCsvRecords => new()
    {
        { ",no id,,", "'id' is missing" },
        { "x,,,", "'title' is missing" },
        { "x,t,cheap,", "'price' must be a number written like 12.5, not \"cheap\"" },
        { "x,t,\"1,5\",", "'price' must be a number" },
        { "x,t,-2,", "'price' must not be negative" },
        { "x,t,Infinity,", "'price' must be a finite number" },
        { "x,t,,maybe", "'available' must be true/false" },
        { "x,t,,,[1]", "'attributes' must hold a JSON object like {\"color\":\"red\"}, not an array" },
        { "x,t,,,{oops", "'attributes' must hold a JSON object" },
        { "x,t,,,,ftp://host/a.jpg", "scheme 'ftp:'" },
        { "x,t,,,,../a.jpg", "climbs out" },
        { "x,\"t\"oops,,", "malformed" },
    };

    [Theory]
    [MemberData(nameof(BadCsvRecords))]
    public async Task A_bad_record_is_reported_on_its_physical_line_and_its_neighbours_survive(string record, string reason)
    {
        var (items, report) = await CatalogRead.CsvAsync(
            "id,title,price,available,attributes,image",
            "before,\"Before,\nwith a line break\",,",
            record,
            "after,After,,");

        Assert.Equal(["before", "after"], items.Select(i => i.Id));
        Assert.Equal("Before,\nwith a line break", items[0].Title);
        var error = Assert.Single(report.Errors);
        Assert.Equal(4, error.Line);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public async Task Line_numbers_count_blank_lines_and_multi_line_fields()
    {
        var (items, report) = await CatalogRead.CsvAsync(
            "id,title,description",
            "a,A,\"one\ntwo\nthree\"",
            "",
            "b,,x",
            "c,C,",
            "d,,\"four\nfive\"",
            "e,E,");

        Assert.Equal(["a", "c", "e"], items.Select(i => i.Id));
        Assert.Equal([(6L, "b"), (8L, "d")], report.Errors.Select(e => (e.Line, e.ItemId)));
    }

    [Fact]
    public async Task Invalid_utf8_in_the_middle_rejects_only_its_record()
    {
        var bytes = new List<byte>();
        bytes.AddRange("id,title\na,Caf\u00e9\nb,\"bad "u8.ToArray());
        bytes.AddRange(new byte[] { 0xFF, 0xFE });
        bytes.AddRange("\nstill b\"\nc,\u00fcber\n"u8.ToArray());

        var (items, report) = await CatalogRead.AllAsync(InMemorySource.Of(bytes.ToArray()), CatalogFormat.Csv);

        Assert.Equal(["a", "c"], items.Select(i => i.Id));
        var error = Assert.Single(report.Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("line 3: the line is not valid UTF-8", error.Reason);
    }

    [Fact]
    public async Task Duplicate_ids_in_csv_keep_the_last_valid_row()
    {
        var (items, report) = await CatalogRead.CsvAsync("id,title", "a,first", "a,second", "a,");

        Assert.Equal("second", Assert.Single(items).Title);
        Assert.Equal([(2L, "duplicate id 'a': line 3 is used instead"), (4L, "'title' is missing or empty; every row needs a title")],
            report.Errors.Select(e => (e.Line, e.Reason)));
    }

    [Fact]
    public async Task A_header_without_a_required_column_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidCatalogException>(() => CatalogRead.CsvAsync("id,name", "a,A"));

        Assert.Contains("lacks the column(s) 'title'", error.Message);
        Assert.Contains("'id', 'name'", error.Message);
    }

    [Fact]
    public async Task A_header_alone_is_an_empty_catalog()
    {
        var error = await Assert.ThrowsAsync<InvalidCatalogException>(() => CatalogRead.CsvAsync(Header));

        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public async Task An_unclosed_quote_stops_the_read_with_a_clear_error_instead_of_swallowing_the_file()
    {
        var limits = CatalogLimits.Default with { MaxLineBytes = 1_000 };
        var text = new StringBuilder("id,title\na,A\nb,\"never closed\n");
        for (var i = 0; i < 200; i++)
        {
            text.Append($"c{i},C\n");
        }

        var error = await Assert.ThrowsAsync<InvalidCatalogException>(() =>
            CatalogRead.AllAsync(InMemorySource.Of(text.ToString()), CatalogFormat.Csv, limits));

        Assert.Contains("cannot be parsed after line", error.Message);
    }
}

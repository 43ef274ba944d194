using Urm.Core.Catalog;

namespace Urm.Core.Tests.Catalog;

public class CatalogReaderJsonLinesTests
{
    [Fact]
    public async Task A_full_row_is_read_trimmed_with_empty_optionals_as_null()
    {
        var (items, report) = await CatalogRead.JsonLinesAsync(
            """{"id":" sku-1 ","title":" Red shoe ","description":"  ","category":"Shoes > Running","brand":"Acme","price":12.5,"attributes":{" color ":" red ","size":42,"gone":null},"image":"img/sku-1.jpg","available":false,"extra":"ignored"}""",
            """{"title":"Blue shoe","id":123}""");

        Assert.Equal(2, items.Count);
        var first = items[0];
        Assert.Equal("sku-1", first.Id);
        Assert.Equal("Red shoe", first.Title);
        Assert.Null(first.Description);
        Assert.Equal(["Shoes", "Running"], first.CategoryPath);
        Assert.Equal("Acme", first.Brand);
        Assert.Equal(12.5, first.Price);
        Assert.Equal(new Dictionary<string, string> { ["color"] = "red", ["size"] = "42" }, first.Attributes);
        Assert.Equal("img/sku-1.jpg", first.Image);
        Assert.False(first.Available);

        var second = items[1];
        Assert.Equal("123", second.Id);
        Assert.True(second.Available);
        Assert.Null(second.Price);
        Assert.Empty(second.Attributes);
        Assert.Equal((2, 2, 0), (report.RowsRead, report.Accepted, report.Rejected));
    }

    [Fact]
    public async Task Blank_lines_are_skipped_silently_and_line_numbers_still_count_them()
    {
        var (items, report) = await CatalogRead.JsonLinesAsync(
            """{"id":"a","title":"A"}""", "", "   ", """{"id":"b"}""", """{"id":"c","title":"C"}""");

        Assert.Equal(["a", "c"], items.Select(i => i.Id));
        var error = Assert.Single(report.Errors);
        Assert.Equal(4, error.Line);
        Assert.Equal("b", error.ItemId);
    }

    [Fact]
    public async Task Crlf_line_endings_and_a_byte_order_mark_are_accepted()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }
            .Concat(System.Text.Encoding.UTF8.GetBytes("{\"id\":\"a\",\"title\":\"A\"}\r\n{\"id\":\"b\",\"title\":\"B\"}"))
            .ToArray();

        var (items, report) = await CatalogRead.AllAsync(InMemorySource.Of(bytes), CatalogFormat.JsonLines);

        Assert.Equal(["a", "b"], items.Select(i => i.Id));
        Assert.Empty(report.Errors);
    }

    [Fact]
    public async Task The_last_valid_occurrence_of_an_id_wins_and_earlier_ones_are_reported()
    {
        var (items, report) = await CatalogRead.JsonLinesAsync(
            """{"id":"a","title":"first"}""",
            """{"id":"b","title":"B"}""",
            """{"id":"a","title":"second"}""",
            """{"id":"c","title":"C"}""",
            """{"id":"a"}""");

        Assert.Equal(["b", "a", "c"], items.Select(i => i.Id));
        Assert.Equal("second", items.Single(i => i.Id == "a").Title);
        Assert.Collection(report.Errors,
            e => Assert.Equal(new RowError(1, "a", "duplicate id 'a': line 3 is used instead"), e),
            e => Assert.Equal((5L, "a"), (e.Line, e.ItemId)));
        Assert.Equal((5, 3, 2), (report.RowsRead, report.Accepted, report.Rejected));
    }

    [Fact]
    public async Task Invalid_utf8_in_the_middle_rejects_only_its_own_line()
    {
        var bytes = new List<byte>();
        bytes.AddRange("{\"id\":\"a\",\"title\":\"Caf\u00e9\"}\n"u8.ToArray());
        bytes.AddRange("{\"id\":\"b\",\"title\":\"bad "u8.ToArray());
        bytes.AddRange(new byte[] { 0xC3, 0x28, 0xFF });
        bytes.AddRange("\"}\n{\"id\":\"c\",\"title\":\"\u00fcber\"}\n"u8.ToArray());

        var (items, report) = await CatalogRead.AllAsync(InMemorySource.Of(bytes.ToArray()), CatalogFormat.JsonLines);

        Assert.Equal(["a", "c"], items.Select(i => i.Id));
        Assert.Equal(["Caf\u00e9", "\u00fcber"], items.Select(i => i.Title));
        var error = Assert.Single(report.Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains("not valid UTF-8", error.Reason);
    }

    [Fact]
    public async Task A_line_over_the_byte_cap_is_rejected_without_being_buffered()
    {
        var limits = CatalogLimits.Default with { MaxLineBytes = 100 };
        var source = InMemorySource.Lines(
            """{"id":"a","title":"A"}""",
            $$"""{"id":"b","title":"{{new string('x', 500)}}"}""",
            """{"id":"c","title":"C"}""");

        var (items, report) = await CatalogRead.AllAsync(source, CatalogFormat.JsonLines, limits);

        Assert.Equal(["a", "c"], items.Select(i => i.Id));
        var error = Assert.Single(report.Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains("longer than 100 bytes", error.Reason);
    }

    [Fact]
    public async Task The_source_is_opened_twice_and_only_twice()
    {
        var source = InMemorySource.Lines("""{"id":"a","title":"A"}""");

        await CatalogRead.AllAsync(source, CatalogFormat.JsonLines);

        Assert.Equal(2, source.Opens);
    }
}

using Urm.Core.Catalog;
using Urm.Core.Events;
using Urm.Core.Tests.Catalog;

namespace Urm.Core.Tests.Events;

public class EventReaderTests
{
    private static readonly DateTimeOffset Ten = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Csv_events_come_in_file_order_without_dedupe()
    {
        var (events, report) = await EventRead.CsvAsync(
            "user_id,item_id,event,timestamp",
            "u1,sku-1,view,2026-11-01T10:00:00Z",
            "u1,sku-1,VIEW,2026-11-01T10:00:00Z",
            " u2 , sku-2 ,Purchase,1793527200",
            "u1,sku-3,cart,2026-11-01T12:00:00+02:00",
            "u1,sku-3,Click,2026-11-01T10:00:00");

        Assert.Empty(report.Errors);
        Assert.Equal(
            [
                new UserEvent("u1", "sku-1", EventType.View, Ten),
                new UserEvent("u1", "sku-1", EventType.View, Ten),
                new UserEvent("u2", "sku-2", EventType.Purchase, DateTimeOffset.FromUnixTimeSeconds(1793527200)),
                new UserEvent("u1", "sku-3", EventType.Cart, Ten),
                new UserEvent("u1", "sku-3", EventType.Click, Ten),
            ],
            events);
        Assert.Equal((5, 5, 0), (report.RowsRead, report.Accepted, report.Rejected));
    }

    [Fact]
    public async Task Json_lines_and_csv_give_equal_events()
    {
        var (fromJson, _) = await EventRead.JsonLinesAsync(
            """{"user_id":"u1","item_id":"sku-1","event":"view","timestamp":"2026-11-01T10:00:00Z"}""",
            """{"timestamp":1793527200,"event":"purchase","item_id":42,"user_id":7}""");
        var (fromCsv, _) = await EventRead.CsvAsync(
            "user_id,item_id,event,timestamp",
            "u1,sku-1,view,2026-11-01T10:00:00Z",
            "7,42,purchase,1793527200");

        Assert.Equal(fromCsv, fromJson);
    }

    public static TheoryData<string, string> BadJsonEvents => new()
    {
        { """{"item_id":"i","event":"view","timestamp":1}""", "'user_id' is missing" },
        { """{"user_id":"u","event":"view","timestamp":1}""", "'item_id' is missing" },
        { """{"user_id":"u","item_id":[1],"event":"view","timestamp":1}""", "'item_id' must be a string or a number, not an array" },
        { """{"user_id":"u","item_id":"i","event":"like","timestamp":1}""", "'event' must be view, click, cart or purchase, not \"like\"" },
        { """{"user_id":"u","item_id":"i","event":"1","timestamp":1}""", "'event' must be view, click, cart or purchase" },
        { """{"user_id":"u","item_id":"i","timestamp":1}""", "'event' is missing" },
        { """{"user_id":"u","item_id":"i","event":"view"}""", "'timestamp' is missing" },
        { """{"user_id":"u","item_id":"i","event":"view","timestamp":"yesterday"}""", "'timestamp' must be ISO 8601" },
        { """{"user_id":"u","item_id":"i","event":"view","timestamp":"11/01/2026"}""", "'timestamp' must be ISO 8601" },
        { """{"user_id":"u","item_id":"i","event":"view","timestamp":1.5}""", "'timestamp' must be ISO 8601" },
        { """{"user_id":"u","item_id":"i","event":"view","timestamp":99999999999999999}""", "out of range" },
        { """{"user_id":"u","item_id":"i","event":"view","timestamp":"2026-13-45T00:00:00Z"}""", "'timestamp' must be ISO 8601" },
        { $$"""{"user_id":"u","item_id":"{{new string('i', 257)}}","event":"view","timestamp":1}""", "'item_id' is 257 characters long; the limit is 256" },
        { """[]""", "one JSON object" },
        { """{"user_id":""", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadJsonEvents))]
    public async Task A_bad_event_is_reported_on_its_line_and_its_neighbours_survive(string line, string reason)
    {
        var (events, report) = await EventRead.JsonLinesAsync(
            """{"user_id":"u","item_id":"before","event":"view","timestamp":1}""",
            line,
            """{"user_id":"u","item_id":"after","event":"view","timestamp":2}""");

        Assert.Equal(["before", "after"], events.Select(e => e.ItemId));
        var error = Assert.Single(report.Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public async Task A_bad_csv_event_is_reported_on_its_physical_line()
    {
        var (events, report) = await EventRead.CsvAsync(
            "user_id,item_id,event,timestamp",
            "\"u\nwith a break\",a,view,1",
            "",
            "u,b,wishlist,1",
            "u,c,view,not-a-time",
            "u,d,view,1");

        Assert.Equal(["a", "d"], events.Select(e => e.ItemId));
        Assert.Equal([(5L, "b"), (6L, "c")], report.Errors.Select(e => (e.Line, e.ItemId)));
    }

    [Fact]
    public async Task Invalid_utf8_in_the_middle_rejects_only_its_row()
    {
        var bytes = new List<byte>();
        bytes.AddRange("user_id,item_id,event,timestamp\nu,a,view,1\nu,"u8.ToArray());
        bytes.AddRange(new byte[] { 0xE2, 0x28, 0xA1 });
        bytes.AddRange(",view,1\nu,c,view,1\n"u8.ToArray());

        var (events, report) = await EventRead.AllAsync(InMemorySource.Of(bytes.ToArray()), CatalogFormat.Csv);

        Assert.Equal(["a", "c"], events.Select(e => e.ItemId));
        var error = Assert.Single(report.Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("not valid UTF-8", error.Reason);
    }

    [Fact]
    public async Task An_empty_event_file_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidEventsException>(() => EventRead.CsvAsync("user_id,item_id,event,timestamp"));

        Assert.StartsWith("The event file is empty", error.Message);
    }

    [Fact]
    public async Task An_event_file_of_only_bad_rows_is_a_clear_error_quoting_the_reasons()
    {
        var error = await Assert.ThrowsAsync<InvalidEventsException>(() => EventRead.JsonLinesAsync(
            """{"user_id":"u","item_id":"a","event":"like","timestamp":1}""",
            "oops"));

        Assert.Contains("all 2 rows were rejected", error.Message);
        Assert.Contains("line 1: 'event' must be view, click, cart or purchase", error.Message);
        Assert.Contains("line 2: the line is not valid JSON", error.Message);
    }

    [Fact]
    public async Task A_header_without_a_required_column_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidEventsException>(() => EventRead.CsvAsync("user,item_id,event,timestamp", "u,a,view,1"));

        Assert.Contains("lacks the column(s) 'user_id'", error.Message);
    }
}

using System.Text;
using System.Text.Json;
using Urm.Offline.Import;

namespace Urm.Offline.Tests.Import;

public class ImporterTests
{
    [Fact]
    public async Task MovieLens_becomes_a_catalog_with_genres_and_time_ordered_view_events()
    {
        var source = Directory.CreateTempSubdirectory("ml").FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "u.genre"), "unknown|0\nAction|1\nComedy|2\n\n");
        // Latin-1 title: the é must survive the conversion.
        await File.WriteAllBytesAsync(Path.Combine(source, "u.item"), Encoding.Latin1.GetBytes(
            "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|1\n2|Café (1996)|01-Jan-1996||http://y|0|1|1\n"));
        await File.WriteAllTextAsync(Path.Combine(source, "u.data"), "7\t2\t5\t200\n7\t1\t3\t100\n3\t2\t4\t50\n7\t2\t1\t100\n");
        var output = Directory.CreateTempSubdirectory("ml-out").FullName;

        var summary = await MovieLensImporter.ImportAsync(source, output, CancellationToken.None);

        Assert.Equal((2, 2, 4), (summary.Items, summary.Users, summary.Events));
        var rows = File.ReadAllLines(summary.CatalogPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("Café (1996)", rows[1].GetProperty("title").GetString());
        Assert.Equal("Movies > Action", rows[1].GetProperty("category").GetString());
        Assert.Equal("yes", rows[1].GetProperty("attributes").GetProperty("genre:Comedy").GetString());
        Assert.Equal("1996", rows[1].GetProperty("attributes").GetProperty("year").GetString());
        Assert.Equal(
            ["user_id,item_id,event,timestamp",
             "3,2,view,1970-01-01T00:00:50Z",
             "7,1,view,1970-01-01T00:01:40Z",
             "7,2,view,1970-01-01T00:01:40Z",   // same second: ties go by item id
             "7,2,view,1970-01-01T00:03:20Z"],
            File.ReadAllLines(summary.EventsPath));
    }

    [Fact]
    public async Task S3Rec_sequences_keep_their_order_with_increasing_timestamps()
    {
        var source = Directory.CreateTempSubdirectory("s3").FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "Shop.txt"), "1 3 1 2\n2 2 3\n");
        await File.WriteAllTextAsync(Path.Combine(source, "Shop_item2attributes.json"), """{"1": [5, 6], "3": [6]}""");
        await File.WriteAllTextAsync(Path.Combine(source, "Shop.item_text.jsonl"),
            """
            {"s3rec_id": 1, "asin": "A1", "title": "Red lipstick", "categories": [["Beauty", "Makeup", "Lips"]]}
            {"s3rec_id": 2, "asin": "A2", "title": "", "categories": []}
            {"s3rec_id": 3, "asin": "A3", "title": "Shampoo", "categories": [["Beauty", "Hair"], ["Beauty", "Bath"]]}
            """);
        var output = Directory.CreateTempSubdirectory("s3-out").FullName;

        var summary = await S3RecImporter.ImportAsync(source, "Shop", output, CancellationToken.None);

        Assert.Equal((3, 2, 5), (summary.Items, summary.Users, summary.Events));
        var rows = File.ReadAllLines(summary.CatalogPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("Beauty > Makeup > Lips", rows[0].GetProperty("category").GetString());
        Assert.Equal("yes", rows[0].GetProperty("attributes").GetProperty("attr:5").GetString());
        Assert.Equal("Item 2", rows[1].GetProperty("title").GetString());
        Assert.Equal("Also in: Beauty > Bath", rows[2].GetProperty("description").GetString());
        var events = File.ReadAllLines(summary.EventsPath).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(["3", "1", "2"], events.Where(e => e[0] == "1").Select(e => e[1]));
        var times = events.Where(e => e[0] == "1").Select(e => DateTimeOffset.Parse(e[3])).ToList();
        Assert.True(times[0] < times[1] && times[1] < times[2]);
        Assert.All(events, e => Assert.Equal("purchase", e[2]));
    }

    [Fact]
    public async Task A_folder_without_the_data_set_says_which_file_is_missing()
    {
        var empty = Directory.CreateTempSubdirectory("none").FullName;
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => S3RecImporter.ImportAsync(empty, "Beauty", empty, CancellationToken.None));
        Assert.Contains("Beauty.txt", error.Message);
    }
}

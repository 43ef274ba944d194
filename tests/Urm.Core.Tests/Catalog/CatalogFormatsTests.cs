using Urm.Core.Catalog;

namespace Urm.Core.Tests.Catalog;

public class CatalogFormatsTests
{
    [Theory]
    [InlineData("catalog.jsonl", CatalogFormat.JsonLines)]
    [InlineData("/data/Catalog.NDJSON", CatalogFormat.JsonLines)]
    [InlineData("catalog.json", CatalogFormat.JsonLines)]
    [InlineData("uploads/catalog.csv", CatalogFormat.Csv)]
    public void The_format_follows_the_extension(string path, CatalogFormat expected) =>
        Assert.Equal(expected, CatalogFormats.FromPath(path));

    [Theory]
    [InlineData("catalog.xlsx")]
    [InlineData("catalog")]
    public void An_unknown_extension_names_the_supported_ones(string path)
    {
        var error = Assert.Throws<ArgumentException>(() => CatalogFormats.FromPath(path));

        Assert.Contains(".jsonl", error.Message);
        Assert.Contains(".csv", error.Message);
    }

    [Fact]
    public async Task A_file_path_is_read_with_its_format_from_the_extension()
    {
        var path = Path.Combine(Path.GetTempPath(), $"urm-catalog-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, "id,title\na,A\nb,B\n");
        try
        {
            var report = new ReadReport();
            var ids = new List<string>();
            await foreach (var item in CatalogReader.ReadAsync(path, report, CancellationToken.None))
            {
                ids.Add(item.Id);
            }

            Assert.Equal(["a", "b"], ids);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

using Urm.Core.Catalog;

namespace Urm.Core.Tests.Catalog;

public class UnusableCatalogTests
{
    [Theory]
    [InlineData("")]
    [InlineData("\n\n   \n")]
    public async Task An_empty_catalog_is_a_clear_error(string text)
    {
        var error = await Assert.ThrowsAsync<InvalidCatalogException>(() =>
            CatalogRead.AllAsync(InMemorySource.Of(text), CatalogFormat.JsonLines));

        Assert.StartsWith("The catalog is empty", error.Message);
    }

    [Fact]
    public async Task A_catalog_of_only_bad_rows_is_a_clear_error_quoting_the_first_reasons()
    {
        var lines = Enumerable.Range(0, 8).Select(i => $$"""{"id":"x{{i}}","price":"cheap"}""").Prepend("oops").ToArray();
        var report = new ReadReport();

        var error = await Assert.ThrowsAsync<InvalidCatalogException>(async () =>
        {
            await foreach (var _ in CatalogReader.ReadAsync(InMemorySource.Lines(lines).Open, CatalogFormat.JsonLines, report, CancellationToken.None))
            {
            }
        });

        Assert.Contains("no valid rows: all 9 rows were rejected", error.Message);
        Assert.Contains("line 1: the line is not valid JSON", error.Message);
        Assert.Contains("line 2: 'title' is missing", error.Message);
        Assert.Contains("and 4 more", error.Message);
        Assert.Equal(9, error.Errors.Count);
        Assert.Equal((9, 0, 9), (report.RowsRead, report.Accepted, report.Rejected));
    }

    [Fact]
    public async Task The_report_keeps_exact_counts_beyond_its_detail_cap()
    {
        var lines = Enumerable.Range(0, 30).Select(i => i % 3 == 0 ? $$"""{"id":"{{i}}","title":"t"}""" : "{}").ToArray();
        var report = new ReadReport(maxDetailedErrors: 5);

        var count = 0;
        await foreach (var _ in CatalogReader.ReadAsync(InMemorySource.Lines(lines).Open, CatalogFormat.JsonLines, report, CancellationToken.None))
        {
            count++;
        }

        Assert.Equal(10, count);
        Assert.Equal((30, 10, 20), (report.RowsRead, report.Accepted, report.Rejected));
        Assert.Equal(5, report.Errors.Count);
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in CatalogReader.ReadAsync(InMemorySource.Lines("""{"id":"a","title":"A"}""").Open,
                CatalogFormat.JsonLines, new ReadReport(), cancelled.Token))
            {
            }
        });
    }
}

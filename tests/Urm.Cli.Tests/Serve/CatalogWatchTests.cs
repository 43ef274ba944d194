using System.Text.Json;
using Urm.Cli.Serve;

namespace Urm.Cli.Tests.Serve;

[Collection(ServeCollection.Name)]
public sealed class CatalogWatchTests(ServeFixture serve)
{
    [Fact]
    public async Task A_changed_catalog_file_is_re_encoded_and_served()
    {
        var before = await serve.WaitForHealthAsync(_ => true, TimeSpan.FromSeconds(10));
        var version = before.GetProperty("catalogVersion").GetInt64();
        var items = serve.Model.Items.Select(i => i.Id == "sku-9" ? i with { Title = "A title changed in the watched folder" } : i);

        await ServeModel.WriteCatalogAsync(serve.CatalogFile, items);

        await serve.WaitForHealthAsync(h => h.GetProperty("catalogVersion").GetInt64() > version, TimeSpan.FromSeconds(60));
        var item = JsonDocument.Parse(await serve.Client.GetStringAsync("/api/items/sku-9")).RootElement;
        Assert.Equal("A title changed in the watched folder", item.GetProperty("title").GetString());
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(CatalogFileEncoder.ReportPath(serve.CatalogFile))).RootElement;
        Assert.True(report.GetProperty("fused").GetInt32() >= 1);
    }

    [Fact]
    public async Task A_catalog_file_that_cannot_be_encoded_leaves_a_report_saying_why_and_the_cards_keep_serving()
    {
        var before = await serve.WaitForHealthAsync(_ => true, TimeSpan.FromSeconds(10));
        var broken = Path.Combine(serve.CatalogDirectory, "broken.jsonl");
        var reportPath = CatalogFileEncoder.ReportPath(broken);
        try
        {
            await File.WriteAllTextAsync(broken, "this is not a JSON object\n");

            var report = await ReadReportAsync(reportPath, TimeSpan.FromSeconds(60));

            Assert.True(report.GetProperty("failed").GetBoolean());
            var error = report.GetProperty("error").GetString()!;
            Assert.Contains("no valid rows", error);
            Assert.Contains("line 1", error);
            var after = await serve.WaitForHealthAsync(_ => true, TimeSpan.FromSeconds(10));
            Assert.Equal(before.GetProperty("catalogVersion").GetInt64(), after.GetProperty("catalogVersion").GetInt64());
            using var item = await serve.Client.GetAsync("/api/items/sku-9");
            Assert.True(item.IsSuccessStatusCode);
        }
        finally
        {
            File.Delete(broken);
            File.Delete(reportPath);
        }
    }

    /// <summary>The report once it is there and whole (the watcher may still be writing it).</summary>
    private static async Task<JsonElement> ReadReportAsync(string path, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                return JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement;
            }
            catch (Exception e) when ((e is IOException or JsonException) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}

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
}

using Urm.Cli.Serve;

namespace Urm.Cli.Tests.Serve;

[Collection(ServeCollection.Name)]
public sealed class EncodeCommandTests(ServeFixture serve)
{
    [Fact]
    public async Task Encode_stores_every_item_then_skips_them_when_nothing_changed()
    {
        var folder = Directory.CreateTempSubdirectory("urm-encode-").FullName;
        try
        {
            var catalog = Path.Combine(folder, "shop.jsonl");
            await ServeModel.WriteCatalogAsync(catalog, serve.Model.Items);
            string[] args = ["encode", "--catalog", catalog, "--model", serve.Model.Directory, "--store", Path.Combine(folder, "cards.db"), "--threads", "1"];

            var first = await CliRun.InvokeAsync(args);
            var second = await CliRun.InvokeAsync(args);

            Assert.True(first.ExitCode == 0, first.Errors);
            Assert.Contains($"{ServeModel.ItemCount} fused", first.Output);
            Assert.Contains($"0 fused, {ServeModel.ItemCount} unchanged", second.Output);
            Assert.True(File.Exists(CatalogFileEncoder.ReportPath(catalog)));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task Encode_of_a_missing_catalog_is_one_clear_error()
    {
        var result = await CliRun.InvokeAsync("encode", "--catalog", "/no/such/catalog.jsonl", "--model", serve.Model.Directory);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not exist", result.Errors);
    }

    [Fact]
    public async Task Serve_refuses_a_missing_model_folder()
    {
        var result = await CliRun.InvokeAsync("serve", "--model", "/no/such/model", "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--model", result.Errors);
    }
}

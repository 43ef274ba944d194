using System.Text.Json;
using Urm.Core.Catalog;
using Urm.Offline.Samples;

namespace Urm.Cli.Tests;

public class FeaturesCommandTests
{
    [Fact]
    public async Task A_catalog_with_bad_rows_and_a_broken_image_is_encoded_into_files_numpy_reads()
    {
        var folder = Directory.CreateTempSubdirectory("urm-features").FullName;
        var items = SampleCatalog.Generate(6, seed: 5).ToList();
        foreach (var item in items.Take(5))
            await SampleImages.SaveAsync(item, Path.Combine(folder, item.Image!), CancellationToken.None);
        // items[5]'s picture is never drawn: that item must be encoded without an image.
        var catalog = Path.Combine(folder, "catalog.jsonl");
        await using (var writer = new CatalogWriter(File.Create(catalog)))
            foreach (var item in items) await writer.WriteAsync(item, CancellationToken.None);
        await File.AppendAllLinesAsync(catalog, ["""{"title": "a row without an id"}""", """{"id": "x", "title": "Lamp", "price": "cheap"}"""]);
        var output = Path.Combine(folder, "features");

        var (exitCode, stdout, errors) = await CliRun.InvokeAsync("features", "--catalog", catalog, "--out", output, "--threads", "1");

        Assert.True(exitCode == 0, errors);
        Assert.Contains("6 items written", stdout);
        Assert.Contains("rejected 2", stdout);
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json"))).RootElement;
        Assert.Equal([7L, 8L], report.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt64()));
        Assert.Equal(items[5].Id, report.GetProperty("imageProblems")[0].GetProperty("itemId").GetString());
        Assert.Equal(items.Select(i => i.Id), File.ReadLines(Path.Combine(output, "items.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()));

        var shapes = CliRun.Python($"""
            import json, numpy as np
            d = '{output}'
            t = np.load(d + '/text.npy'); i = np.load(d + '/image.npy'); m = np.load(d + '/image_mask.npy')
            assert np.allclose(np.linalg.norm(t, axis=1), 1, atol=1e-4)
            assert (np.abs(i[m == 0]).sum() == 0) and (np.abs(i[m == 1]).sum(axis=1) > 0).all()
            f = json.load(open(d + '/features.json'))
            print(t.shape, i.shape, m.tolist(), f['count'])
            """);
        Assert.Equal("(6, 384) (6, 512) [1, 1, 1, 1, 1, 0] 6", shapes.Trim());
    }

    [Fact]
    public async Task A_second_run_over_an_unchanged_catalog_encodes_nothing_again()
    {
        var folder = Directory.CreateTempSubdirectory("urm-features-cache").FullName;
        var catalog = Path.Combine(folder, "catalog.jsonl");
        await using (var writer = new CatalogWriter(File.Create(catalog)))
            foreach (var item in SampleCatalog.Generate(4)) await writer.WriteAsync(item with { Image = null }, CancellationToken.None);
        var output = Path.Combine(folder, "features");

        await CliRun.InvokeAsync("features", "--catalog", catalog, "--out", output, "--threads", "1");
        var (exitCode, stdout, _) = await CliRun.InvokeAsync("features", "--catalog", catalog, "--out", output, "--threads", "1");

        Assert.Equal(0, exitCode);
        Assert.Contains("text encoded 0, images encoded 0, from cache 4", stdout);
    }

    [Fact]
    public async Task A_missing_catalog_or_an_all_bad_one_is_one_clear_error()
    {
        var folder = Directory.CreateTempSubdirectory("urm-features-bad").FullName;
        var missing = await CliRun.InvokeAsync("features", "--catalog", Path.Combine(folder, "nope.jsonl"), "--out", folder);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Errors);

        var allBad = Path.Combine(folder, "bad.jsonl");
        await File.WriteAllLinesAsync(allBad, ["""{"title": "no id"}""", "not json"]);
        var result = await CliRun.InvokeAsync("features", "--catalog", allBad, "--out", Path.Combine(folder, "out"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: ", result.Errors);
        Assert.Contains("line 1", result.Errors);
    }

    [Fact]
    public async Task Int8_text_features_are_encoded_into_a_cache_of_their_own_and_stay_close_to_fp32()
    {
        var folder = Directory.CreateTempSubdirectory("urm-features-int8").FullName;
        var catalog = Path.Combine(folder, "catalog.jsonl");
        await using (var writer = new CatalogWriter(File.Create(catalog)))
            foreach (var item in SampleCatalog.Generate(4)) await writer.WriteAsync(item with { Image = null }, CancellationToken.None);
        var fp32 = Path.Combine(folder, "fp32");
        var int8 = Path.Combine(folder, "int8");
        // Both runs share one cache folder argument: the int8 run must not take the fp32 vectors from it.
        await CliRun.InvokeAsync("features", "--catalog", catalog, "--out", fp32, "--cache", Path.Combine(folder, "cache"), "--threads", "1");

        var (exitCode, stdout, errors) = await CliRun.InvokeAsync("features", "--catalog", catalog, "--out", int8, "--cache", Path.Combine(folder, "cache"), "--threads", "1", "--text-precision", "int8");

        Assert.True(exitCode == 0, errors);
        Assert.Contains("text encoded 4, images encoded 0, from cache 0", stdout);
        Assert.Contains("int8 text", errors);
        Assert.True(Directory.Exists(Path.Combine(folder, "cache-int8")));
        var cosines = CliRun.Python($"""
            import numpy as np
            a = np.load('{fp32}/text.npy'); b = np.load('{int8}/text.npy')
            c = (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
            print(int((c > 0.98).all() and (c < 1 - 1e-6).all()))
            """);
        Assert.Equal("1", cosines.Trim());
        Assert.NotEqual(0, (await CliRun.InvokeAsync("features", "--catalog", catalog, "--out", int8, "--text-precision", "fp16")).ExitCode);
    }

    [Fact]
    public async Task Int8_image_features_are_encoded_into_a_cache_of_their_own_and_stay_close_to_fp32()
    {
        var folder = Directory.CreateTempSubdirectory("urm-features-images-int8").FullName;
        var items = SampleCatalog.Generate(3, seed: 9).ToList();
        foreach (var item in items)
            await SampleImages.SaveAsync(item, Path.Combine(folder, item.Image!), CancellationToken.None);
        var catalog = Path.Combine(folder, "catalog.jsonl");
        await using (var writer = new CatalogWriter(File.Create(catalog)))
            foreach (var item in items) await writer.WriteAsync(item, CancellationToken.None);
        var fp32 = Path.Combine(folder, "fp32");
        var int8 = Path.Combine(folder, "int8");
        await CliRun.InvokeAsync("features", "--catalog", catalog, "--out", fp32, "--cache", Path.Combine(folder, "cache"), "--threads", "1");

        var (exitCode, stdout, errors) = await CliRun.InvokeAsync("features", "--catalog", catalog, "--out", int8, "--cache", Path.Combine(folder, "cache"), "--threads", "1", "--image-precision", "int8");

        Assert.True(exitCode == 0, errors);
        Assert.Contains("text encoded 3, images encoded 3, from cache 0", stdout);
        Assert.Contains("int8 images", errors);
        Assert.True(Directory.Exists(Path.Combine(folder, "cache-images-int8")));
        var cosines = CliRun.Python($"""
            import numpy as np
            a = np.load('{fp32}/image.npy'); b = np.load('{int8}/image.npy')
            c = (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
            t = np.abs(np.load('{fp32}/text.npy') - np.load('{int8}/text.npy')).max()
            print(int((c > 0.98).all() and (c < 1 - 1e-6).all() and t == 0))
            """);
        Assert.Equal("1", cosines.Trim());
        Assert.NotEqual(0, (await CliRun.InvokeAsync("features", "--catalog", catalog, "--out", int8, "--image-precision", "fp16")).ExitCode);
    }
}

using System.Text.Json.Nodes;
using Urm.Core.Models.Package;

namespace Urm.Core.Tests.Models;

/// <summary>A broken copy of the tiny package is refused at load, with a message naming the file and the problem.</summary>
[Collection(TinyModelCollection.Name)]
public sealed class ModelPackageRefusalTests(TinyModel model) : IDisposable
{
    private readonly string _copy = Copy(model.Directory);

    public void Dispose()
    {
        try { Directory.Delete(_copy, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void The_intact_package_loads_with_the_manifest_sizes()
    {
        using var package = ModelPackage.Load(_copy, TinyModel.Session);
        Assert.Equal((24, 2, 6, 384), (package.Sizes.DCard, package.Sizes.M, package.Sizes.L, package.Sizes.TextDim));
        Assert.Equal("view", package.Manifest.EventTypes.Single(e => e.Value == 1).Key);
        Assert.Equal("task:next-item", package.Manifest.Tasks["next-item"]);
    }

    [Fact]
    public void Missing_fusion_graph()
    {
        File.Delete(Path.Combine(_copy, "fusion.onnx"));
        Refused("fusion.onnx", "missing");
    }

    [Fact]
    public void Missing_manifest()
    {
        File.Delete(Path.Combine(_copy, "manifest.json"));
        Refused("manifest.json", "missing");
    }

    [Fact]
    public void Manifest_that_is_not_json()
    {
        File.WriteAllText(Path.Combine(_copy, "manifest.json"), "{ this is not json");
        Refused("manifest.json", "not a valid model manifest");
    }

    [Fact]
    public void Manifest_without_a_size()
    {
        EditManifest(m => m["sizes"]!.AsObject().Remove("dCard"));
        Refused("manifest.json", "dCard");
    }

    [Fact]
    public void Manifest_dcard_disagreeing_with_the_graph()
    {
        EditManifest(m => m["sizes"]!["dCard"] = 17);
        Refused("fusion.onnx", "sizes.dCard is 17");
    }

    [Fact]
    public void Manifest_listing_an_input_the_graph_lacks()
    {
        EditManifest(m => m["onnx"]!["fusion"]!["inputs"]!.AsArray().Add(new JsonObject
        {
            ["name"] = "extra", ["shape"] = new JsonArray("n"), ["dtype"] = "float32",
        }));
        Refused("manifest.json", "lists 'extra', but fusion.onnx has no such input");
    }

    [Fact]
    public void Graph_input_the_manifest_does_not_list()
    {
        EditManifest(m =>
        {
            var inputs = m["onnx"]!["user"]!["inputs"]!.AsArray();
            inputs.Remove(inputs.Single(i => (string?)i!["name"] == "history_events"));
        });
        Refused("user.onnx", "input 'history_events', which manifest.json onnx.user.inputs does not list");
    }

    [Fact]
    public void Manifest_listing_another_dtype()
    {
        EditManifest(m => m["onnx"]!["fusion"]!["inputs"]!.AsArray().Single(i => (string?)i!["name"] == "id_index")!["dtype"] = "int32");
        Refused("manifest.json", "'id_index' has dtype 'int32', expected 'int64'");
    }

    [Fact]
    public void User_and_fusion_graphs_swapped()
    {
        // A manifest from before checksums, so the graphs' own signatures are what is checked.
        EditManifest(RemoveChecksums);
        File.Move(Path.Combine(_copy, "fusion.onnx"), Path.Combine(_copy, "swap.onnx"));
        File.Move(Path.Combine(_copy, "user.onnx"), Path.Combine(_copy, "fusion.onnx"));
        File.Move(Path.Combine(_copy, "swap.onnx"), Path.Combine(_copy, "user.onnx"));
        Refused("fusion.onnx", "the graph has input 'prompt'");
    }

    [Fact]
    public void Graph_that_is_not_onnx()
    {
        EditManifest(RemoveChecksums);
        File.WriteAllText(Path.Combine(_copy, "user.onnx"), "not a model");
        Refused("user.onnx", "ONNX Runtime cannot load the graph");
    }

    [Fact]
    public void The_trainer_lists_each_graphs_sha256_and_the_intact_package_passes_it()
    {
        var manifest = ModelPackage.VerifyFiles(_copy);
        Assert.Matches("^[0-9a-f]{64}$", manifest.Onnx.Fusion.Sha256);
        Assert.Matches("^[0-9a-f]{64}$", manifest.Onnx.User.Sha256);
    }

    [Fact]
    public void Graph_whose_bytes_differ_from_the_manifest_checksum()
    {
        File.AppendAllText(Path.Combine(_copy, "user.onnx"), "\0");
        Refused("user.onnx", "onnx.user.sha256");
        Assert.Contains("SHA-256", Assert.Throws<ModelPackageException>(() => ModelPackage.VerifyFiles(_copy)).Message);
    }

    [Fact]
    public void Manifest_checksum_that_is_not_hex()
    {
        EditManifest(m => m["onnx"]!["fusion"]!["sha256"] = "abc");
        Refused("manifest.json", "onnx.fusion.sha256 is 'abc', not 64 hexadecimal digits");
    }

    [Fact]
    public void Manifest_without_checksums_still_loads()
    {
        EditManifest(RemoveChecksums);
        using var package = ModelPackage.Load(_copy, TinyModel.Session);
        Assert.Null(package.Manifest.Onnx.Fusion.Sha256);
    }

    [Fact]
    public void Manifest_without_new_items_loads_with_none()
    {
        EditManifest(m => m.AsObject().Remove("newItems"));
        using var package = ModelPackage.Load(_copy, TinyModel.Session);
        Assert.Empty(package.Manifest.NewItems);
    }

    [Fact]
    public void Manifest_new_items_are_read()
    {
        // The manifest does not know the catalog: any id without an ID embedding may be new.
        EditManifest(m => m["newItems"] = new JsonArray(JsonValue.Create("sku-new")));
        using var package = ModelPackage.Load(_copy, TinyModel.Session);
        Assert.Equal(["sku-new"], package.Manifest.NewItems);
    }

    [Fact]
    public void Manifest_new_item_with_an_id_embedding()
    {
        var warm = model.Package.Manifest.IdTable.Keys.First();
        EditManifest(m => m["newItems"] = new JsonArray(JsonValue.Create(warm)));
        Refused("manifest.json", $"newItems lists '{warm}', which idTable also lists");
    }

    [Fact]
    public void Manifest_new_item_listed_twice()
    {
        EditManifest(m => m["newItems"] = new JsonArray(JsonValue.Create("sku-new"), JsonValue.Create("sku-new")));
        Refused("manifest.json", "newItems lists 'sku-new' twice");
    }

    [Fact]
    public void Manifest_new_item_that_is_blank()
    {
        EditManifest(m => m["newItems"] = new JsonArray(JsonValue.Create(" ")));
        Refused("manifest.json", "newItems lists a blank item id");
    }

    private static void RemoveChecksums(JsonNode manifest)
    {
        manifest["onnx"]!["fusion"]!.AsObject().Remove("sha256");
        manifest["onnx"]!["user"]!.AsObject().Remove("sha256");
    }

    private void Refused(string file, string problem)
    {
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(_copy, TinyModel.Session));
        Assert.EndsWith(file, e.File);
        Assert.Contains(file, e.Message);
        Assert.Contains(problem, e.Message);
    }

    private void EditManifest(Action<JsonNode> edit)
    {
        var path = Path.Combine(_copy, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
    }

    private static string Copy(string directory)
    {
        // Every file: a package may hold more than the graphs (cooccurrence.bin).
        return CoOccurrenceFile.CopyPackage(directory, "urm-broken-model-");
    }
}

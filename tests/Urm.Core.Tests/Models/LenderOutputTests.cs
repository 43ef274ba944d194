using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Urm.Core.Features;
using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;

namespace Urm.Core.Tests.Models;

/// <summary>
/// fusion.onnx's "lender" output: read where the graph has it, and a package exported before it (no
/// such output) still loads and serves, naming no lender.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class LenderOutputTests(TinyModel model) : IDisposable
{
    private readonly string _copy = CoOccurrenceFile.CopyPackage(model.Directory, "urm-lender-model-");

    public void Dispose()
    {
        try { Directory.Delete(_copy, recursive: true); } catch (IOException) { }
    }

    // The catalog the model was trained on, and copies of its first five items under ids it never saw.
    private IReadOnlyList<ItemFeatures> Items => [.. model.Items, .. model.Items.Take(5).Select(i => i with { Id = "new-" + i.Id })];

    [Fact]
    public void The_tiny_package_names_a_lender_for_each_item_outside_its_id_table_and_none_for_the_rest()
    {
        var (_, lenders) = new CardFuser(model.Package).FuseWithLenders(Items);
        var idTable = model.Package.Manifest.IdTable;

        for (var i = 0; i < Items.Count; i++)
        {
            if (idTable.ContainsKey(Items[i].Id)) Assert.Null(lenders[i]);
            else Assert.True(lenders[i] is { } lender && idTable.ContainsKey(lender), $"{Items[i].Id} has no lender from the idTable");
        }
        // A copy's text is its original's, so the original is its lender where the original has an ID.
        for (var i = 0; i < 5; i++)
            if (idTable.ContainsKey(model.Items[i].Id)) Assert.Equal(model.Items[i].Id, lenders[model.Items.Count + i]);
    }

    [Fact]
    public void A_package_whose_fusion_graph_has_no_lender_output_loads_and_fuses_the_same_cards()
    {
        var fusion = Path.Combine(_copy, "fusion.onnx");
        StripLenderOutput(fusion);
        CoOccurrenceFile.EditManifest(_copy, m =>
        {
            var section = m["onnx"]!["fusion"]!.AsObject();
            var outputs = section["outputs"]!.AsArray();
            outputs.Remove(outputs.Single(o => (string?)o!["name"] == "lender"));
            section["sha256"] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(fusion)));
        });

        using var old = ModelPackage.Load(_copy, TinyModel.Session);
        var (cards, lenders) = new CardFuser(old).FuseWithLenders(Items);

        Assert.All(lenders, Assert.Null);
        Assert.Equal(new CardFuser(model.Package).Fuse(Items), cards);
    }

    // The trainer's own onnx package removes the output, as a graph exported before 2026-12-03 lacks it.
    private static void StripLenderOutput(string path)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("""
            import sys, onnx
            m = onnx.load(sys.argv[1])
            kept = [o for o in m.graph.output if o.name != "lender"]
            assert len(kept) == len(m.graph.output) - 1
            del m.graph.output[:]
            m.graph.output.extend(kept)
            onnx.checker.check_model(m)
            onnx.save(m, sys.argv[1])
            """);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start /usr/bin/python3.");
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stderr);
    }
}

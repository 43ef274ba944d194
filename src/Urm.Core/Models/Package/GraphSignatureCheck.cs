using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Urm.Core.Models.Package;

/// <summary>
/// Three-way agreement between what the code feeds (<see cref="TensorContract"/>), what the manifest's
/// onnx section lists and what the ONNX graph declares: names, element types, ranks and fixed dims.
/// </summary>
internal static class GraphSignatureCheck
{
    private const string Remedy = "Re-export the package from its checkpoint (python -m urm_train export --checkpoint DIR/checkpoint.pt --out DIR) and upload all of its files together";

    /// <param name="graphFile">Path of the .onnx file, for messages.</param>
    /// <param name="manifestFile">Path of manifest.json, for messages.</param>
    /// <param name="section">"fusion" or "user": the manifest key under onnx.</param>
    public static void Verify(string graphFile, string manifestFile, string section, InferenceSession session,
        OnnxGraphSpec listed, (TensorContract[] Inputs, TensorContract[] Outputs) contract)
    {
        Verify(graphFile, manifestFile, $"onnx.{section}.inputs", "input", session.InputMetadata, listed.Inputs, contract.Inputs);
        Verify(graphFile, manifestFile, $"onnx.{section}.outputs", "output", session.OutputMetadata, listed.Outputs, contract.Outputs);
    }

    private static void Verify(string graphFile, string manifestFile, string listName, string kind,
        IReadOnlyDictionary<string, NodeMetadata> graph, IReadOnlyList<OnnxTensorSpec> listed, TensorContract[] expected)
    {
        var graphName = Path.GetFileName(graphFile);
        var listedByName = new Dictionary<string, OnnxTensorSpec>(StringComparer.Ordinal);
        foreach (var spec in listed)
            if (!listedByName.TryAdd(spec.Name, spec))
                throw new ModelPackageException(manifestFile, $"{listName} lists '{spec.Name}' twice", Remedy);

        // Names first: a swapped or foreign graph shows up here, before any shape detail.
        foreach (var name in graph.Keys)
            if (!listedByName.ContainsKey(name))
                throw new ModelPackageException(graphFile, $"the graph has {kind} '{name}', which manifest.json {listName} does not list ({kind}s listed: {Names(listed.Select(s => s.Name))})", Remedy);
        foreach (var spec in listed)
            if (!graph.ContainsKey(spec.Name))
                throw new ModelPackageException(manifestFile, $"{listName} lists '{spec.Name}', but {graphName} has no such {kind} (its {kind}s: {Names(graph.Keys)})", Remedy);
        foreach (var want in expected)
            if (!want.Optional && !graph.ContainsKey(want.Name))
                throw new ModelPackageException(graphFile, $"the graph lacks {kind} '{want.Name}' {want.Dtype} {want.ShapeText}, which this version of Urm uses (its {kind}s: {Names(graph.Keys)})", Remedy);
        var expectedNames = expected.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in graph.Keys)
            if (!expectedNames.Contains(name))
                throw new ModelPackageException(graphFile, $"the graph has {kind} '{name}', which this version of Urm does not {(kind == "input" ? "feed" : "read")} (it uses: {Names(expectedNames)})", "Serve this package with the Urm version that matches its trainer, or re-export it");

        foreach (var want in expected.Where(w => graph.ContainsKey(w.Name)))
        {
            VerifyGraph(graphFile, kind, graph[want.Name], want);
            VerifyListed(manifestFile, listName, listedByName[want.Name], want);
        }
    }

    private static void VerifyGraph(string graphFile, string kind, NodeMetadata node, TensorContract want)
    {
        if (!node.IsTensor || node.ElementDataType != want.Type)
            throw new ModelPackageException(graphFile, $"{kind} '{want.Name}' is {(node.IsTensor ? Dtype(node.ElementDataType) : node.OnnxValueType.ToString())}, expected {want.Dtype}", Remedy);
        var dims = node.Dimensions;
        if (dims.Length != want.Dims.Count)
            throw new ModelPackageException(graphFile, $"{kind} '{want.Name}' has rank {dims.Length} [{string.Join(", ", Dims(node))}], expected rank {want.Dims.Count} {want.ShapeText}", Remedy);
        for (var i = 0; i < dims.Length; i++)
        {
            var w = want.Dims[i];
            // ONNX Runtime reports a symbolic (dynamic) dim as -1 (or 0 when it is unnamed and unknown).
            var graphFixed = dims[i] > 0 ? dims[i] : (int?)null;
            if (w.Size is { } size && graphFixed is { } g && g != size)
                throw new ModelPackageException(graphFile, $"{kind} '{want.Name}' dim {i} is {g}, but manifest.json {w.Name} is {size}", "The manifest and the graph come from different models: " + Remedy);
            if (w.Size is null && graphFixed is { } fixedSize)
                throw new ModelPackageException(graphFile, $"{kind} '{want.Name}' dim {i} is fixed at {fixedSize}, but it must be dynamic ({w.Name}) because the number of items/users/pieces varies", Remedy);
        }
    }

    private static void VerifyListed(string manifestFile, string listName, OnnxTensorSpec spec, TensorContract want)
    {
        if (!string.Equals(spec.Dtype, want.Dtype, StringComparison.Ordinal))
            throw new ModelPackageException(manifestFile, $"{listName} '{spec.Name}' has dtype '{spec.Dtype}', expected '{want.Dtype}'", Remedy);
        if (spec.Shape.Count != want.Dims.Count)
            throw new ModelPackageException(manifestFile, $"{listName} '{spec.Name}' has rank {spec.Shape.Count}, expected rank {want.Dims.Count} {want.ShapeText}", Remedy);
        for (var i = 0; i < spec.Shape.Count; i++)
        {
            var dim = spec.Shape[i];
            var w = want.Dims[i];
            switch (dim.ValueKind)
            {
                case JsonValueKind.String when w.Size is null:
                    break;
                case JsonValueKind.Number when w.Size is { } size && dim.TryGetInt32(out var listedSize):
                    if (listedSize != size)
                        throw new ModelPackageException(manifestFile, $"{listName} '{spec.Name}' dim {i} is {listedSize}, but {w.Name} is {size}", Remedy);
                    break;
                default:
                    throw new ModelPackageException(manifestFile, $"{listName} '{spec.Name}' dim {i} is {dim.GetRawText()}, expected {(w.Size is null ? "a dynamic dim (a string)" : $"{w.Size} ({w.Name})")}", Remedy);
            }
        }
    }

    private static IEnumerable<string> Dims(NodeMetadata node)
        => node.Dimensions.Select((d, i) => d > 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : node.SymbolicDimensions.ElementAtOrDefault(i) is { Length: > 0 } s ? s : "?");

    private static string Dtype(TensorElementType type) => type switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Int64 => "int64",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static string Names(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}

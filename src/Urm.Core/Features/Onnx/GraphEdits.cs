using System.Buffers.Binary;
using Google.Protobuf;
using Urm.Core.Features.Onnx.Proto;

namespace Urm.Core.Features.Onnx;

/// <summary>What the graph rewrites build with: new nodes and tensors, and float initializers read back.</summary>
internal static class GraphEdits
{
    public static NodeProto Node(string op, string name, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    /// <summary>An initializer of raw little-endian data.</summary>
    public static TensorProto Tensor(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> raw, params long[] dims)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian.");
        var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        t.Dims.AddRange(dims);
        return t;
    }

    /// <summary>A float initializer's values, from raw data or float_data.</summary>
    public static float[] Floats(TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float || t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new InvalidDataException($"The initializer '{t.Name}' is not float data held in the model.");
        if (!t.HasRawData) return [.. t.FloatData];
        var raw = t.RawData.Span;
        var values = new float[raw.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        return values;
    }
}

/// <summary>Names no part of a graph uses yet (node names, tensors, initializers, inputs and outputs), for what a rewrite adds.</summary>
internal sealed class FreshNames
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public FreshNames(GraphProto graph)
    {
        foreach (var n in graph.Node) { _taken.UnionWith(n.Input); _taken.UnionWith(n.Output); _taken.Add(n.Name); }
        _taken.UnionWith(graph.Initializer.Select(t => t.Name));
        _taken.UnionWith(graph.Input.Select(i => i.Name));
        _taken.UnionWith(graph.Output.Select(o => o.Name));
    }

    /// <summary><paramref name="stem"/>, or stem_1, stem_2, ... when it is taken; taken from then on.</summary>
    public string Next(string stem)
    {
        var name = stem;
        for (var k = 1; !_taken.Add(name); k++) name = $"{stem}_{k}";
        return name;
    }
}

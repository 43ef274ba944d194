using Google.Protobuf;
using Urm.Core.Features.Onnx.Proto;

namespace Urm.Core.Features.Onnx;

/// <summary>
/// Turns a model exported for one example at a time into one that takes any batch: the first dimension
/// of every graph input and output becomes the symbol <c>batch</c>. Meant for graphs whose operators
/// all treat dimension 0 as the batch (convolutions, pooling, broadcasting arithmetic); a graph that
/// reshapes with a fixed first dimension is refused rather than silently mixed up.
/// </summary>
public static class SymbolicBatchDimension
{
    public const string Symbol = "batch";

    public static byte[] Apply(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var proto = ModelProto.Parser.ParseFrom(model);
        Rewrite(proto);
        return proto.ToByteArray();
    }

    internal static void Rewrite(ModelProto model)
    {
        var graph = model.Graph ?? throw new InvalidDataException("The model has no graph.");
        var refused = graph.Node.FirstOrDefault(n => string.IsNullOrEmpty(n.Domain) && n.OpType is "Reshape" or "Flatten" or "Expand" or "Tile" or "ConstantOfShape");
        if (refused is not null)
            throw new InvalidDataException($"The graph has a {refused.OpType} node ('{refused.Name}'), which may fix the batch size; it is not rewritten.");
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var value in graph.Input.Where(i => !initializers.Contains(i.Name)).Concat(graph.Output))
        {
            var shape = value.Type?.TensorType?.Shape;
            if (shape is null || shape.Dim.Count == 0) throw new InvalidDataException($"'{value.Name}' has no shape to give a batch dimension.");
            shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = Symbol };
        }
        // The recorded intermediate shapes say batch 1 too; they are hints ONNX Runtime infers again.
        graph.ValueInfo.Clear();
    }
}

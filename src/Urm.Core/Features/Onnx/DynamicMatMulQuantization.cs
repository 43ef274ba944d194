using System.Runtime.InteropServices;
using Google.Protobuf;
using Urm.Core.Features.Onnx.Proto;

namespace Urm.Core.Features.Onnx;

/// <summary>
/// Dynamic int8 quantisation of an ONNX model's weight products, done here so that no host needs
/// Python's quantisation tools. Every MatMul (default domain) whose B is a float 2-D initializer becomes
/// DynamicQuantizeLinear(A) → MatMulInteger(A_q, B_q, A_zp, 0) → Cast(float) → Mul(·, A_scale · B_scale):
/// B is quantised once, per output column and symmetrically; A is quantised per run over the whole
/// tensor's range, so a vector depends slightly on the other inputs of its run (texts of one batch).
/// The node pattern is the one ONNX Runtime's optimizer fuses into MatMulIntegerToFloat and then
/// DynamicQuantizeMatMul, so each product runs as one int8 kernel. Products of two activations
/// (attention scores) stay float.
/// </summary>
public static class DynamicMatMulQuantization
{
    /// <summary>The model with its weight MatMuls quantised; the bytes it was given are not changed.</summary>
    /// <param name="weightBits">8 (weights in −127…127) or 7 (−63…63). x86 CPUs without VNNI multiply uint8 by int8
    /// in pairs summed into int16, which saturates with full-range weights (measured: wrong products on AVX2); 7 bits cannot
    /// (2 · 255 · 63 &lt; 32,767). This is what ONNX Runtime's own quantiser calls reduce_range.</param>
    /// <param name="quantise">Which weight products to quantise; all of them when null.</param>
    public static byte[] Apply(byte[] model, int weightBits = 7, Predicate<WeightProduct>? quantise = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var proto = ModelProto.Parser.ParseFrom(model);
        Rewrite(proto, weightBits, quantise);
        return proto.ToByteArray();
    }

    /// <summary>Rewrites the model in place; returns how many MatMuls were quantised.</summary>
    internal static int Rewrite(ModelProto model, int weightBits, Predicate<WeightProduct>? quantise = null)
    {
        if (weightBits is not (7 or 8)) throw new ArgumentOutOfRangeException(nameof(weightBits), weightBits, "Weights are quantised to 7 or 8 bits.");
        var graph = model.Graph ?? throw new InvalidDataException("The model has no graph.");
        var opset = model.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain)).Select(o => o.Version).DefaultIfEmpty(0).Max();
        // DynamicQuantizeLinear is opset 11: an older model is refused rather than half-converted.
        if (opset < 11) throw new InvalidDataException($"The model imports ONNX opset {opset}; dynamic quantisation needs 11 or later.");

        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        // An initializer that is also a graph input can be replaced by the caller at run time: not a constant.
        var overridable = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var fresh = new FreshNames(graph);

        var quantised = new Dictionary<string, (string Weights, string Scales)>(StringComparer.Ordinal);
        var activations = new Dictionary<string, (string Values, string Scale, string ZeroPoint)>(StringComparer.Ordinal);
        string? zeroPoint = null;
        var nodes = new List<NodeProto>(graph.Node.Count + 64);
        var count = 0;
        foreach (var node in graph.Node)
        {
            if (node.OpType != "MatMul" || !string.IsNullOrEmpty(node.Domain) || node.Input.Count != 2
                || overridable.Contains(node.Input[1])
                || !initializers.TryGetValue(node.Input[1], out var b) || !IsFloatMatrix(b)
                || (quantise is not null && !quantise(new WeightProduct(node.Name, b.Name, b.Dims[0], b.Dims[1]))))
            {
                nodes.Add(node);
                continue;
            }
            if (!quantised.TryGetValue(b.Name, out var q))
            {
                var (weights, scales) = Quantise(b, weightBits, fresh.Next(b.Name + "_quantized"), fresh.Next(b.Name + "_scale"));
                graph.Initializer.Add(weights);
                graph.Initializer.Add(scales);
                quantised[b.Name] = q = (weights.Name, scales.Name);
            }
            if (zeroPoint is null)
            {
                // Symmetric weights: one zero point, 0, for every column of every product.
                zeroPoint = fresh.Next("matmul_weight_zero_point");
                graph.Initializer.Add(GraphEdits.Tensor(zeroPoint, TensorProto.Types.DataType.Int8, [0]));
            }
            var stem = string.IsNullOrEmpty(node.Name) ? fresh.Next("MatMul") : node.Name;
            // Products that read the same input (Q, K and V) share its quantisation, as ONNX Runtime's common
            // subexpression elimination would make them anyway; those then run as MatMulIntegerToFloat, a
            // product with an input of its own as DynamicQuantizeMatMul (quantise and multiply in one kernel).
            if (!activations.TryGetValue(node.Input[0], out var a))
            {
                a = (fresh.Next(stem + "_A_quantized"), fresh.Next(stem + "_A_scale"), fresh.Next(stem + "_A_zero_point"));
                nodes.Add(GraphEdits.Node("DynamicQuantizeLinear", fresh.Next(stem + "_quantize_A"), [node.Input[0]], [a.Values, a.Scale, a.ZeroPoint]));
                activations[node.Input[0]] = a;
            }
            string product = fresh.Next(stem + "_int32"), asFloat = fresh.Next(stem + "_float"), scale = fresh.Next(stem + "_scale");
            nodes.Add(GraphEdits.Node("MatMulInteger", fresh.Next(stem + "_quant"), [a.Values, q.Weights, a.ZeroPoint, zeroPoint], [product]));
            nodes.Add(GraphEdits.Node("Mul", fresh.Next(stem + "_scales"), [a.Scale, q.Scales], [scale]));
            var cast = GraphEdits.Node("Cast", fresh.Next(stem + "_cast"), [product], [asFloat]);
            cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
            nodes.Add(cast);
            nodes.Add(GraphEdits.Node("Mul", fresh.Next(stem + "_rescale"), [asFloat, scale], [node.Output[0]]));
            count++;
        }
        if (count == 0) return 0;
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        // The float weights are dropped once nothing else reads them (they are most of the model's bytes).
        var stillRead = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in quantised.Keys.Where(n => !stillRead.Contains(n)))
            graph.Initializer.Remove(initializers[name]);
        return count;
    }

    private static bool IsFloatMatrix(TensorProto t)
        => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 2 && t.DataLocation != TensorProto.Types.DataLocation.External
           && (t.HasRawData ? t.RawData.Length == 4 * t.Dims[0] * t.Dims[1] : t.FloatData.Count == t.Dims[0] * t.Dims[1]);

    /// <summary>B [K, N] → int8 [K, N] and scale [N], scale_j = max_k |B[k, j]| / qmax.</summary>
    internal static (TensorProto Weights, TensorProto Scales) Quantise(TensorProto b, int weightBits, string weightsName, string scalesName)
    {
        int rows = checked((int)b.Dims[0]), columns = checked((int)b.Dims[1]);
        var values = GraphEdits.Floats(b);
        var qmax = (1 << (weightBits - 1)) - 1;
        var scales = new float[columns];
        for (var k = 0; k < rows; k++)
            for (var j = 0; j < columns; j++)
                scales[j] = MathF.Max(scales[j], MathF.Abs(values[k * columns + j]));
        for (var j = 0; j < columns; j++) scales[j] = scales[j] > 0 ? scales[j] / qmax : 1f;   // an all-zero column stays zeros
        var weights = new sbyte[values.Length];
        for (var k = 0; k < rows; k++)
            for (var j = 0; j < columns; j++)
                weights[k * columns + j] = (sbyte)Math.Clamp(MathF.Round(values[k * columns + j] / scales[j], MidpointRounding.ToEven), -qmax, qmax);
        return (GraphEdits.Tensor(weightsName, TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(weights.AsSpan()), rows, columns),
                GraphEdits.Tensor(scalesName, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(scales.AsSpan()), columns));
    }
}

/// <summary>A MatMul whose B is the float initializer <paramref name="Weight"/> of shape [<paramref name="Rows"/>, <paramref name="Columns"/>].</summary>
public readonly record struct WeightProduct(string Node, string Weight, long Rows, long Columns);

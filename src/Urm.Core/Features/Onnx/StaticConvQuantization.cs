using System.Runtime.InteropServices;
using Google.Protobuf;
using Urm.Core.Features.Onnx.Proto;

namespace Urm.Core.Features.Onnx;

/// <summary>
/// Static int8 quantisation of a convolutional network (ResNet-style: Conv, BatchNormalization, Relu, Add,
/// MaxPool, then average pooling), done here so that no host needs Python's quantisation tools.
/// Each BatchNormalization is folded into the Conv before it; each Conv (with its Relu) becomes one
/// QLinearConv, each Add (with its Relu) one QLinearAdd, MaxPool runs on the uint8 values, and the final
/// average pool reads them dequantised. Activations are uint8 with one scale per tensor, fixed from ranges
/// measured beforehand on calibration images (<see cref="ActivationNames"/>, <see cref="WithActivationOutputs"/>),
/// so a vector never depends on the other images of its batch. Weights are int8 per output channel,
/// symmetric; the bias is int32 at the input scale times the weight scale. A Relu folds into the uint8
/// range itself (zero point 0 clamps negatives to 0). ONNX Runtime lays QLinearConv out channels-last for
/// its integer convolution kernels.
/// </summary>
public static class StaticConvQuantization
{
    /// <summary>The float tensors whose value ranges <see cref="Apply"/> needs: the graph input and the output of each
    /// Conv (after its BatchNormalization and Relu) and each Add (after its Relu), in graph order.</summary>
    public static IReadOnlyList<string> ActivationNames(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = ModelProto.Parser.ParseFrom(model).Graph ?? throw new InvalidDataException("The model has no graph.");
        return Plan(graph).Activations;
    }

    /// <summary>The float model with every tensor of <see cref="ActivationNames"/> also a graph output, so that one run
    /// over a calibration image gives all the values whose ranges are measured.</summary>
    public static byte[] WithActivationOutputs(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph ?? throw new InvalidDataException("The model has no graph.");
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in Plan(graph).Activations.Where(outputs.Add))
            graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        return proto.ToByteArray();
    }

    /// <summary>The quantised model; the bytes it was given are not changed.</summary>
    /// <param name="ranges">The measured range of each tensor of <see cref="ActivationNames"/>; a missing one is an error.</param>
    /// <param name="weightBits">8 (weights in −127…127) or 7 (−63…63): x86 CPUs without VNNI multiply uint8 by int8 in pairs
    /// summed into int16, which can saturate with full-range weights; 7 bits cannot. With VNNI 8 bits are safe and closer.</param>
    /// <param name="floatInputConvolutions">Whether the convolutions that read the graph input stay fp32 (BatchNormalization
    /// still folded in) and only their outputs are quantised. An image input, BGR minus a mean image, spans about 290 values,
    /// so one uint8 step is 1.1 of a pixel value: flat product pictures lose most of their signal to it (measured on generated
    /// product pictures: mean cosine to fp32 0.980 quantised, 0.996 with ResNet18's first convolution in fp32; docs/BENCHMARKS.md, "int8 ResNet18").</param>
    public static byte[] Apply(byte[] model, IReadOnlyDictionary<string, ActivationRange> ranges, int weightBits = 7, bool floatInputConvolutions = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ranges);
        if (weightBits is not (7 or 8)) throw new ArgumentOutOfRangeException(nameof(weightBits), weightBits, "Weights are quantised to 7 or 8 bits.");
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph ?? throw new InvalidDataException("The model has no graph.");
        var plan = Plan(graph);
        var missing = plan.Activations.FirstOrDefault(a => !ranges.ContainsKey(a));
        if (missing is not null) throw new InvalidDataException($"No calibrated range for the tensor '{missing}': the ranges were measured on another model.");
        new Rewriter(graph, ranges, weightBits, floatInputConvolutions).Rewrite(plan);

        // QLinearConv and uint8 MaxPool need opset 10 and 12; BatchNormalization, whose old attributes newer opsets
        // refuse, is gone. Initializers need not be graph inputs from IR version 4 on.
        var onnx = proto.OpsetImport.FirstOrDefault(o => string.IsNullOrEmpty(o.Domain));
        if (onnx is null) proto.OpsetImport.Add(onnx = new OperatorSetIdProto { Domain = "", Version = 13 });
        onnx.Version = Math.Max(onnx.Version, 13);
        if (!proto.OpsetImport.Any(o => o.Domain == MicrosoftDomain)) proto.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        proto.IrVersion = Math.Max(proto.IrVersion, 7);
        return proto.ToByteArray();
    }

    private const string MicrosoftDomain = "com.microsoft";

    private abstract record Step;

    /// <summary>Conv, the BatchNormalization folded into it (if any), the Relu after them (if any); <paramref name="Output"/> is the last one's output.</summary>
    private sealed record ConvStep(NodeProto Conv, NodeProto? Norm, bool Relu, string Output) : Step;

    private sealed record AddStep(NodeProto Add, bool Relu, string Output) : Step;

    private sealed record MaxPoolStep(NodeProto Pool) : Step;

    /// <summary>AveragePool or GlobalAveragePool, run in float on the dequantised input.</summary>
    private sealed record FloatPoolStep(NodeProto Pool) : Step;

    private sealed record QuantisationPlan(string Input, IReadOnlyList<Step> Steps, IReadOnlyList<string> Activations);

    private static QuantisationPlan Plan(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToArray();
        if (inputs.Length != 1) throw new InvalidDataException($"Expected one image input, found {inputs.Length}.");
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (var input in node.Input)
                (consumers.TryGetValue(input, out var list) ? list : consumers[input] = []).Add(node);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        // The next node when it is the only reader of this node's output and that output is not also a graph output.
        NodeProto? OnlyReader(NodeProto node, string op)
            => !graphOutputs.Contains(node.Output[0]) && consumers.TryGetValue(node.Output[0], out var readers)
               && readers.Count == 1 && readers[0].OpType == op && string.IsNullOrEmpty(readers[0].Domain) ? readers[0] : null;

        var quantised = new HashSet<string>(StringComparer.Ordinal) { inputs[0].Name };
        var activations = new List<string> { inputs[0].Name };
        var steps = new List<Step>();
        var absorbed = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        void Needs(NodeProto node, string input)
        {
            if (!quantised.Contains(input))
                throw new InvalidDataException($"The {node.OpType} node '{node.Name}' reads '{input}', which is not an output of a node this quantiser converts.");
        }
        foreach (var node in graph.Node)
        {
            if (absorbed.Contains(node)) continue;
            if (!string.IsNullOrEmpty(node.Domain)) throw Unsupported(node);
            switch (node.OpType)
            {
                case "Conv":
                {
                    Needs(node, node.Input[0]);
                    if (node.Input.Count < 2 || !initializers.Contains(node.Input[1]) || (node.Input.Count > 2 && !initializers.Contains(node.Input[2])))
                        throw new InvalidDataException($"The Conv node '{node.Name}' has weights that are not constants.");
                    var last = node;
                    var norm = OnlyReader(node, "BatchNormalization");
                    if (norm is not null) { absorbed.Add(norm); last = norm; }
                    var relu = OnlyReader(last, "Relu");
                    if (relu is not null) { absorbed.Add(relu); last = relu; }
                    steps.Add(new ConvStep(node, norm, relu is not null, last.Output[0]));
                    quantised.Add(last.Output[0]);
                    activations.Add(last.Output[0]);
                    break;
                }
                case "Add":
                {
                    Needs(node, node.Input[0]);
                    Needs(node, node.Input[1]);
                    var relu = OnlyReader(node, "Relu");
                    if (relu is not null) absorbed.Add(relu);
                    var output = (relu ?? node).Output[0];
                    steps.Add(new AddStep(node, relu is not null, output));
                    quantised.Add(output);
                    activations.Add(output);
                    break;
                }
                case "MaxPool":
                    Needs(node, node.Input[0]);
                    if (node.Output.Count != 1) throw new InvalidDataException($"The MaxPool node '{node.Name}' also outputs indices; not quantised.");
                    steps.Add(new MaxPoolStep(node));
                    quantised.Add(node.Output[0]);
                    break;
                case "AveragePool" or "GlobalAveragePool":
                    Needs(node, node.Input[0]);
                    steps.Add(new FloatPoolStep(node));
                    break;
                default:
                    throw Unsupported(node);
            }
        }
        var floatOutputs = steps.OfType<FloatPoolStep>().Select(s => s.Pool.Output[0]).ToHashSet(StringComparer.Ordinal);
        var unreachable = graph.Output.FirstOrDefault(o => !floatOutputs.Contains(o.Name) && !quantised.Contains(o.Name));
        if (unreachable is not null) throw new InvalidDataException($"The graph output '{unreachable.Name}' is not produced by a node this quantiser converts.");
        return new QuantisationPlan(inputs[0].Name, steps, activations);
    }

    private static InvalidDataException Unsupported(NodeProto node) =>
        new($"The graph has a {(string.IsNullOrEmpty(node.Domain) ? "" : node.Domain + ".")}{node.OpType} node ('{node.Name}'); static int8 quantisation covers Conv, BatchNormalization, Relu, Add, MaxPool and average pooling only.");

    /// <summary>Builds the quantised graph from a plan, in the graph it was made from.</summary>
    private sealed class Rewriter(GraphProto graph, IReadOnlyDictionary<string, ActivationRange> ranges, int weightBits, bool floatInputConvolutions)
    {
        private readonly Dictionary<string, TensorProto> _initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        private readonly FreshNames _names = new(graph);
        /// <summary>Float tensor → its uint8 twin and the names of its scale and zero point initializers.</summary>
        private readonly Dictionary<string, QuantisedTensor> _quantised = new(StringComparer.Ordinal);
        private readonly List<NodeProto> _nodes = [];

        private sealed record QuantisedTensor(string Values, string Scale, string ZeroPoint, float ScaleValue);

        public void Rewrite(QuantisationPlan plan)
        {
            if (!floatInputConvolutions)
            {
                var input = Declare(plan.Input, relu: false);
                _nodes.Add(GraphEdits.Node("QuantizeLinear", Fresh(plan.Input + "_quantize"), [plan.Input, input.Scale, input.ZeroPoint], [input.Values]));
            }
            foreach (var step in plan.Steps)
            {
                switch (step)
                {
                    case ConvStep conv: Convolution(conv, inFloat: floatInputConvolutions && conv.Conv.Input[0] == plan.Input); break;
                    case AddStep add:
                    {
                        QuantisedTensor a = _quantised[add.Add.Input[0]], b = _quantised[add.Add.Input[1]], c = Declare(add.Output, add.Relu);
                        var node = GraphEdits.Node("QLinearAdd", Fresh(add.Add.Name + "_quant"), [a.Values, a.Scale, a.ZeroPoint, b.Values, b.Scale, b.ZeroPoint, c.Scale, c.ZeroPoint], [c.Values]);
                        node.Domain = MicrosoftDomain;
                        _nodes.Add(node);
                        break;
                    }
                    case MaxPoolStep pool:
                    {
                        // The maximum commutes with an increasing map: the uint8 input's scale and zero point carry over.
                        var x = _quantised[pool.Pool.Input[0]];
                        var y = new QuantisedTensor(Fresh(pool.Pool.Output[0] + "_quantized"), x.Scale, x.ZeroPoint, x.ScaleValue);
                        _quantised[pool.Pool.Output[0]] = y;
                        var node = GraphEdits.Node("MaxPool", Fresh(pool.Pool.Name + "_quant"), [x.Values], [y.Values]);
                        node.Attribute.AddRange(pool.Pool.Attribute.Where(a => a.Name != "storage_order").Select(a => a.Clone()));
                        _nodes.Add(node);
                        break;
                    }
                    case FloatPoolStep pool:
                    {
                        var x = _quantised[pool.Pool.Input[0]];
                        var dequantised = Fresh(pool.Pool.Input[0] + "_dequantized");
                        _nodes.Add(GraphEdits.Node("DequantizeLinear", Fresh(pool.Pool.Name + "_dequantize"), [x.Values, x.Scale, x.ZeroPoint], [dequantised]));
                        var node = GraphEdits.Node(pool.Pool.OpType, pool.Pool.Name, [dequantised], [.. pool.Pool.Output]);
                        node.Attribute.AddRange(pool.Pool.Attribute.Select(a => a.Clone()));
                        _nodes.Add(node);
                        break;
                    }
                }
            }
            // A graph output left in uint8 (a network without the final pool) is dequantised under its own name.
            foreach (var output in graph.Output)
                if (_quantised.TryGetValue(output.Name, out var q) && !_nodes.Any(n => n.Output.Contains(output.Name)))
                    _nodes.Add(GraphEdits.Node("DequantizeLinear", Fresh(output.Name + "_dequantize"), [q.Values, q.Scale, q.ZeroPoint], [output.Name]));

            graph.Node.Clear();
            graph.Node.AddRange(_nodes);
            var read = graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
            foreach (var unread in graph.Initializer.Where(t => !read.Contains(t.Name)).ToArray()) graph.Initializer.Remove(unread);
            // IR 3 models list their initializers as inputs too; the folded ones are gone, the rest need not be listed.
            foreach (var stale in graph.Input.Where(i => i.Name != plan.Input).ToArray()) graph.Input.Remove(stale);
            graph.ValueInfo.Clear();   // intermediate types changed to uint8; ONNX Runtime infers them again
        }

        /// <param name="inFloat">The convolution reads the float input: it stays fp32 and only its output is quantised.</param>
        private void Convolution(ConvStep step, bool inFloat)
        {
            var conv = step.Conv;
            var weights = GraphEdits.Floats(_initializers[conv.Input[1]]);
            var dims = _initializers[conv.Input[1]].Dims.ToArray();
            if (dims.Length < 3) throw new InvalidDataException($"The Conv node '{conv.Name}' has weights of rank {dims.Length}.");
            var channels = checked((int)dims[0]);
            var perChannel = weights.Length / channels;
            var bias = conv.Input.Count > 2 ? GraphEdits.Floats(_initializers[conv.Input[2]]).Select(v => (double)v).ToArray() : new double[channels];
            if (bias.Length != channels) throw new InvalidDataException($"The Conv node '{conv.Name}' has {bias.Length} bias values for {channels} channels.");
            var folded = weights.Select(v => (double)v).ToArray();
            if (step.Norm is { } norm) FoldNormalisation(norm, folded, bias, channels, perChannel);

            if (inFloat)
            {
                FloatConvolution(step, folded, bias, dims);
                return;
            }
            var x = _quantised[conv.Input[0]];
            var qmax = (1 << (weightBits - 1)) - 1;
            var scales = new float[channels];
            var q = new sbyte[folded.Length];
            var y = Declare(step.Output, step.Relu);
            var bias32 = new int[channels];
            for (var c = 0; c < channels; c++)
            {
                var span = folded.AsSpan(c * perChannel, perChannel);
                var max = 0.0;
                foreach (var v in span) max = Math.Max(max, Math.Abs(v));
                scales[c] = max > 0 ? (float)(max / qmax) : 1f;   // an all-zero filter stays zeros
                for (var i = 0; i < perChannel; i++)
                    q[c * perChannel + i] = (sbyte)Math.Clamp(Math.Round(span[i] / scales[c], MidpointRounding.ToEven), -qmax, qmax);
                bias32[c] = (int)Math.Clamp(Math.Round(bias[c] / ((double)x.ScaleValue * scales[c]), MidpointRounding.ToEven), int.MinValue, int.MaxValue);
            }
            var stem = string.IsNullOrEmpty(conv.Name) ? "Conv" : conv.Name;
            var w = Add(GraphEdits.Tensor(Fresh(stem + "_weight_quantized"), TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(q.AsSpan()), dims));
            var ws = Add(GraphEdits.Tensor(Fresh(stem + "_weight_scale"), TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(scales.AsSpan()), [channels]));
            var wz = Add(GraphEdits.Tensor(Fresh(stem + "_weight_zero_point"), TensorProto.Types.DataType.Int8, new byte[channels], [channels]));
            var b = Add(GraphEdits.Tensor(Fresh(stem + "_bias_quantized"), TensorProto.Types.DataType.Int32, MemoryMarshal.AsBytes(bias32.AsSpan()), [channels]));
            var node = GraphEdits.Node("QLinearConv", Fresh(stem + "_quant"), [x.Values, x.Scale, x.ZeroPoint, w, ws, wz, y.Scale, y.ZeroPoint, b], [y.Values]);
            node.Attribute.AddRange(conv.Attribute.Select(a => a.Clone()));
            _nodes.Add(node);
        }

        /// <summary>A convolution of the float input: fp32 with the normalisation folded in, its output quantised.</summary>
        private void FloatConvolution(ConvStep step, double[] weights, double[] bias, long[] dims)
        {
            var stem = string.IsNullOrEmpty(step.Conv.Name) ? "Conv" : step.Conv.Name;
            var y = Declare(step.Output, step.Relu);
            var w = Add(GraphEdits.Tensor(Fresh(stem + "_weight_folded"), TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(weights.Select(v => (float)v).ToArray().AsSpan()), dims));
            var b = Add(GraphEdits.Tensor(Fresh(stem + "_bias_folded"), TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(bias.Select(v => (float)v).ToArray().AsSpan()), [bias.Length]));
            var output = Fresh(step.Output + "_float");
            var node = GraphEdits.Node("Conv", Fresh(stem + "_folded"), [step.Conv.Input[0], w, b], [output]);
            node.Attribute.AddRange(step.Conv.Attribute.Select(a => a.Clone()));
            _nodes.Add(node);
            // A Relu after it is the uint8 range's zero point 0: QuantizeLinear clamps negatives to 0.
            _nodes.Add(GraphEdits.Node("QuantizeLinear", Fresh(stem + "_quantize"), [output, y.Scale, y.ZeroPoint], [y.Values]));
        }

        /// <summary>y = γ (conv + b − μ) / √(σ² + ε) + β, per output channel, folded into the weights and bias.</summary>
        private void FoldNormalisation(NodeProto norm, double[] weights, double[] bias, int channels, int perChannel)
        {
            if (norm.Input.Count != 5 || norm.Output.Count != 1 || norm.Input.Skip(1).Any(i => !_initializers.ContainsKey(i)))
                throw new InvalidDataException($"The BatchNormalization node '{norm.Name}' is not an inference-mode normalisation with constant parameters.");
            if (norm.Attribute.FirstOrDefault(a => a.Name == "spatial") is { I: 0 })
                throw new InvalidDataException($"The BatchNormalization node '{norm.Name}' is not spatial; not folded.");
            var epsilon = norm.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            float[] gamma = GraphEdits.Floats(_initializers[norm.Input[1]]), beta = GraphEdits.Floats(_initializers[norm.Input[2]]),
                mean = GraphEdits.Floats(_initializers[norm.Input[3]]), variance = GraphEdits.Floats(_initializers[norm.Input[4]]);
            if (new[] { gamma, beta, mean, variance }.Any(p => p.Length != channels))
                throw new InvalidDataException($"The BatchNormalization node '{norm.Name}' has parameters for other than {channels} channels.");
            for (var c = 0; c < channels; c++)
            {
                var factor = gamma[c] / Math.Sqrt((double)variance[c] + epsilon);
                for (var i = 0; i < perChannel; i++) weights[c * perChannel + i] *= factor;
                bias[c] = (bias[c] - mean[c]) * factor + beta[c];
            }
        }

        /// <summary>The uint8 twin of a float tensor, its scale and zero point from the measured range (0 always inside it,
        /// so that zero padding and a folded Relu are exact; from 0 up when a Relu precedes).</summary>
        private QuantisedTensor Declare(string tensor, bool relu)
        {
            var range = ranges[tensor];
            if (!float.IsFinite(range.Min) || !float.IsFinite(range.Max) || range.Min > range.Max)
                throw new InvalidDataException($"The calibrated range of '{tensor}' is [{range.Min}, {range.Max}].");
            double min = relu ? 0 : Math.Min(range.Min, 0), max = Math.Max(range.Max, 0);
            var scale = max > min ? (float)((max - min) / 255) : 1f;
            var zeroPoint = (byte)Math.Clamp(Math.Round(-min / scale, MidpointRounding.ToEven), 0, 255);
            var q = new QuantisedTensor(Fresh(tensor + "_quantized"),
                Add(GraphEdits.Tensor(Fresh(tensor + "_scale"), TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(new[] { scale }.AsSpan()), [])),
                Add(GraphEdits.Tensor(Fresh(tensor + "_zero_point"), TensorProto.Types.DataType.Uint8, [zeroPoint], [])),
                scale);
            _quantised[tensor] = q;
            return q;
        }

        private string Add(TensorProto tensor)
        {
            graph.Initializer.Add(tensor);
            _initializers[tensor.Name] = tensor;
            return tensor.Name;
        }

        private string Fresh(string stem) => _names.Next(stem);
    }
}

/// <summary>The smallest and largest value a float tensor took over the calibration inputs.</summary>
public readonly record struct ActivationRange(float Min, float Max);

using System.Buffers.Binary;
using Urm.Core.Features.Onnx.Proto;

namespace Urm.Core.Features.Images;

/// <summary>
/// The DnnImageFeaturizer package's preprocessing graph, done while copying an image into the ResNet
/// batch instead of as a second ONNX Runtime run (which allocated and copied the whole batch once more):
/// the graph splits planar RGB into R, G and B, concatenates them as B, G, R and subtracts a mean image
/// (Caffe style). <see cref="Apply"/> does the same float subtractions, so the values are the same bit
/// for bit. A graph that does anything else is refused rather than imitated.
/// </summary>
internal sealed class ResNetPreprocessing
{
    private const int Plane = ImageEncoder.Side * ImageEncoder.Side;

    /// <summary>The mean image in the graph's output order: planar B, G, R, [3, 224, 224].</summary>
    private readonly float[] _mean;

    private ResNetPreprocessing(float[] mean) => _mean = mean;

    /// <summary>Reads the mean image out of the preprocessing graph, checking that the graph is Split → Concat(B, G, R) → Sub(mean).</summary>
    public static ResNetPreprocessing Load(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = ModelProto.Parser.ParseFrom(model).Graph ?? throw new InvalidDataException("The preprocessing model has no graph.");
        if (graph.Node.Count != 3 || graph.Input.Count(i => graph.Initializer.All(t => t.Name != i.Name)) != 1 || graph.Output.Count != 1)
            throw Unexpected("three nodes, one input, one output");
        var (split, concat, sub) = (graph.Node[0], graph.Node[1], graph.Node[2]);
        if (split.OpType != "Split" || split.Output.Count != 3 || Axis(split) != 1 || !EvenSplit(split))
            throw Unexpected("a Split of the channels into R, G, B first");
        if (concat.OpType != "Concat" || Axis(concat) != 1 || !concat.Input.SequenceEqual([split.Output[2], split.Output[1], split.Output[0]]))
            throw Unexpected("a Concat of them as B, G, R second");
        var mean = sub.Input.Count == 2 ? graph.Initializer.FirstOrDefault(t => t.Name == sub.Input[1]) : null;
        if (mean is null || sub.OpType != "Sub" || sub.Input[0] != concat.Output[0] || sub.Output[0] != graph.Output[0].Name)
            throw Unexpected("the Sub of a mean image last");
        return new ResNetPreprocessing(Values(mean));
    }

    /// <summary>One image, planar RGB in 0–255 [3, 224, 224], written as the graph's output: planar BGR minus the mean.</summary>
    public void Apply(ReadOnlySpan<float> rgb, Span<float> target)
    {
        if (rgb.Length != 3 * Plane || target.Length != 3 * Plane) throw new ArgumentException($"Expected {3 * Plane} planar values.");
        for (var c = 0; c < 3; c++)
        {
            var source = rgb.Slice((2 - c) * Plane, Plane);   // B is RGB's third plane
            var mean = _mean.AsSpan(c * Plane, Plane);
            var output = target.Slice(c * Plane, Plane);
            for (var i = 0; i < Plane; i++) output[i] = source[i] - mean[i];
        }
    }

    private static long? Axis(NodeProto node) => node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I;

    // Without a 'split' attribute Split cuts equal parts; with one, it must say 1, 1, 1.
    private static bool EvenSplit(NodeProto node) => node.Attribute.FirstOrDefault(a => a.Name == "split") is not { } split || split.Ints.SequenceEqual([1L, 1L, 1L]);

    private static float[] Values(TensorProto mean)
    {
        if (mean.DataType != (int)TensorProto.Types.DataType.Float || mean.Dims.Aggregate(1L, (a, d) => a * d) != 3 * Plane)
            throw Unexpected($"a float mean image of {3 * Plane} values");
        if (mean.FloatData.Count == 3 * Plane) return [.. mean.FloatData];
        var raw = mean.RawData.Span;
        if (raw.Length != 3 * Plane * sizeof(float)) throw Unexpected("the mean image's values in the graph");
        var values = new float[3 * Plane];
        for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        return values;
    }

    private static InvalidDataException Unexpected(string expected) =>
        new($"The ResNet18 preprocessing graph is not the one this encoder folds in (expected {expected}).");
}

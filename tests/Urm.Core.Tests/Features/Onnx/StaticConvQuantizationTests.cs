using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Urm.Core.Features.Onnx;
using Urm.Core.Features.Onnx.Proto;
using static Urm.Core.Tests.Features.Onnx.TinyModels;

namespace Urm.Core.Tests.Features.Onnx;

public class StaticConvQuantizationTests
{
    private const int Side = 16;

    /// <summary>
    /// A residual block as ResNet18 has them: Conv → BatchNormalization → Relu → MaxPool, then Conv → BatchNormalization,
    /// added to the pooled tensor, Relu, and a global average pool.
    /// </summary>
    private static byte[] ResidualBlock(string extraOp = "")
    {
        var graph = new GraphProto { Name = "block" };
        graph.Input.Add(Value("image", 1, 3, Side, Side));
        graph.Output.Add(Value("pooled", 1, 8, 1, 1));
        graph.Initializer.Add(Floats("w1", Random(8 * 3 * 3 * 3, 1), 8, 3, 3, 3));
        graph.Initializer.Add(Floats("w2", Random(8 * 8 * 3 * 3, 2).Select(v => v * 0.3f).ToArray(), 8, 8, 3, 3));
        foreach (var (norm, seed) in new[] { ("n1", 3), ("n2", 7) })
        {
            graph.Initializer.Add(Floats(norm + "_scale", Random(8, seed).Select(v => 1 + 0.5f * v).ToArray(), 8));
            graph.Initializer.Add(Floats(norm + "_bias", Random(8, seed + 1), 8));
            graph.Initializer.Add(Floats(norm + "_mean", Random(8, seed + 2), 8));
            graph.Initializer.Add(Floats(norm + "_var", Random(8, seed + 3).Select(v => 1.5f + v).ToArray(), 8));
        }
        graph.Node.Add(Conv("conv1", "image", "w1", "c1"));
        graph.Node.Add(Node("BatchNormalization", "bn1", ["c1", "n1_scale", "n1_bias", "n1_mean", "n1_var"], ["b1"]));
        graph.Node.Add(Node("Relu", "relu1", ["b1"], ["r1"]));
        var pool = Node("MaxPool", "pool", ["r1"], ["p1"]);
        pool.Attribute.Add(Ints("kernel_shape", 2, 2));
        pool.Attribute.Add(Ints("strides", 2, 2));
        graph.Node.Add(pool);
        graph.Node.Add(Conv("conv2", "p1", "w2", "c2"));
        graph.Node.Add(Node("BatchNormalization", "bn2", ["c2", "n2_scale", "n2_bias", "n2_mean", "n2_var"], ["b2"]));
        graph.Node.Add(Node("Add", "add", ["b2", "p1"], ["s"]));
        graph.Node.Add(Node("Relu", "relu2", ["s"], ["r2"]));
        if (extraOp != "")
        {
            graph.Node.Add(Node(extraOp, "extra", ["r2"], ["e"]));
            graph.Node.Add(Node("GlobalAveragePool", "gap", ["e"], ["pooled"]));
        }
        else
        {
            graph.Node.Add(Node("GlobalAveragePool", "gap", ["r2"], ["pooled"]));
        }
        return Model(graph).ToByteArray();
    }

    private static NodeProto Conv(string name, string input, string weights, string output)
    {
        var node = Node("Conv", name, [input, weights], [output]);
        node.Attribute.Add(Ints("kernel_shape", 3, 3));
        node.Attribute.Add(Ints("pads", 1, 1, 1, 1));
        return node;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static float[] Image(int seed) => Random(3 * Side * Side, seed).Select(v => 120 * v).ToArray();

    private static float[][] Run(byte[] model, IReadOnlyList<float[]> images, string[]? outputs = null)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var names = outputs ?? [session.OutputMetadata.Keys.First()];
        var results = new List<float[]>();
        foreach (var image in images)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(image, [1, 3, Side, Side]);
            using var runOptions = new RunOptions();
            using var values = session.Run(runOptions, [session.InputMetadata.Keys.First()], [input], names);
            results.AddRange(values.Select(v => v.GetTensorDataAsSpan<float>().ToArray()));
        }
        return [.. results];
    }

    /// <summary>Each activation's smallest and largest value over calibration images, as ResNetCalibration measures them.</summary>
    private static Dictionary<string, ActivationRange> Calibrate(byte[] model, int images)
    {
        var names = StaticConvQuantization.ActivationNames(model);
        var outputs = names.Skip(1).ToArray();
        var calibration = Enumerable.Range(100, images).Select(Image).ToArray();
        var values = Run(StaticConvQuantization.WithActivationOutputs(model), calibration, outputs);
        var ranges = new Dictionary<string, ActivationRange> { [names[0]] = new(calibration.Min(i => i.Min()), calibration.Max(i => i.Max())) };
        for (var o = 0; o < outputs.Length; o++)
        {
            var all = Enumerable.Range(0, images).SelectMany(i => values[i * outputs.Length + o]).ToArray();
            ranges[outputs[o]] = new(all.Min(), all.Max());
        }
        return ranges;
    }

    [Fact]
    public void The_ranges_wanted_are_the_input_and_each_convolution_and_sum_after_its_Relu()
    {
        Assert.Equal(["image", "r1", "b2", "r2"], StaticConvQuantization.ActivationNames(ResidualBlock()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_quantised_block_gives_nearly_the_fp32_vectors_with_integer_kernels(bool floatInput)
    {
        var model = ResidualBlock();
        var ranges = Calibrate(model, 24);

        var quantised = StaticConvQuantization.Apply(model, ranges, floatInputConvolutions: floatInput);

        var ops = ModelProto.Parser.ParseFrom(quantised).Graph.Node.Select(n => n.OpType).ToList();
        Assert.DoesNotContain("BatchNormalization", ops);
        Assert.DoesNotContain("Relu", ops);   // folded into the uint8 ranges
        Assert.Equal(floatInput ? 1 : 2, ops.Count(op => op == "QLinearConv"));
        Assert.Equal(floatInput ? 1 : 0, ops.Count(op => op == "Conv"));
        Assert.Single(ops, op => op == "QLinearAdd");
        Assert.Single(ops, op => op == "DequantizeLinear");   // before the float average pool
        var images = Enumerable.Range(0, 6).Select(Image).ToArray();
        var reference = Run(model, images);
        var int8 = Run(quantised, images);
        for (var i = 0; i < images.Length; i++)
        {
            var cosine = VectorMath.Cosine(int8[i], reference[i]);
            Assert.True(cosine > 0.995, $"image {i}: cosine {cosine:F5}");
            Assert.True(cosine < 1 - 1e-7, $"image {i}: the int8 vector is the fp32 one; was anything quantised?");
        }
    }

    [Fact]
    public void A_wrong_fold_of_the_normalisation_would_be_seen()
    {
        // The same block with the second normalisation's scale doubled: its vectors must fall away from the
        // quantised true block's, so the test above can tell a correct fold from a wrong one.
        var model = ResidualBlock();
        var ranges = Calibrate(model, 24);
        var quantised = StaticConvQuantization.Apply(model, ranges);
        var wrong = ModelProto.Parser.ParseFrom(model);
        var scale = wrong.Graph.Initializer.Single(t => t.Name == "n2_scale");
        var doubled = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(scale.RawData.Span).ToArray().Select(v => 2 * v).ToArray();
        scale.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(doubled.AsSpan()));

        var images = Enumerable.Range(0, 4).Select(Image).ToArray();
        var int8 = Run(quantised, images);
        var other = Run(wrong.ToByteArray(), images);

        Assert.All(Enumerable.Range(0, images.Length), i => Assert.True(VectorMath.Cosine(int8[i], other[i]) < 0.995));
    }

    [Fact]
    public void A_graph_with_an_operator_it_does_not_cover_is_refused_by_name()
    {
        var model = ResidualBlock(extraOp: "Sigmoid");

        var error = Assert.Throws<InvalidDataException>(() => StaticConvQuantization.ActivationNames(model));

        Assert.Contains("Sigmoid", error.Message);
    }

    [Fact]
    public void A_missing_range_is_an_error_that_names_the_tensor()
    {
        var model = ResidualBlock();
        var ranges = Calibrate(model, 4);
        ranges.Remove("b2");

        var error = Assert.Throws<InvalidDataException>(() => StaticConvQuantization.Apply(model, ranges));

        Assert.Contains("'b2'", error.Message);
    }

    [Fact]
    public void The_model_it_was_given_is_not_changed()
    {
        var model = ResidualBlock();
        var copy = model.ToArray();

        StaticConvQuantization.Apply(model, Calibrate(model, 4));
        StaticConvQuantization.WithActivationOutputs(model);

        Assert.Equal(copy, model);
    }
}

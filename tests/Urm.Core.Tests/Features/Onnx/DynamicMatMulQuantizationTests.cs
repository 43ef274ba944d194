using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Urm.Core.Features;
using Urm.Core.Features.Onnx;
using Urm.Core.Features.Onnx.Proto;
using Urm.Core.Features.Text;
using Urm.Core.Pretrained;
using static Urm.Core.Tests.Features.Onnx.TinyModels;

namespace Urm.Core.Tests.Features.Onnx;

public class DynamicMatMulQuantizationTests(TextEncoderFixture fixture) : IClassFixture<TextEncoderFixture>
{
    private static readonly string[] Sentences =
    [
        "This is an example sentence",
        "Hydrating face cream with hyaluronic acid, 50 ml, for dry and sensitive skin",
        "lipstick",
        "Beauty > Hair Care > Shampoos: sulphate-free shampoo for curly hair",
        "Café crème brûlée scented body lotion",
    ];

    [Fact]
    public void The_int8_MiniLM_loads_and_its_vectors_agree_with_fp32()
    {
        Assert.Equal(30, DynamicMatMulQuantization.Rewrite(ModelProto.Parser.ParseFrom(MiniLmFiles.Load().Model), TextEncoderOptions.Int8WeightBits, TextEncoder.Int8Products));
        using var int8 = TextEncoder.Load(new TextEncoderOptions(Session: new EncoderSessionOptions(IntraOpThreads: 1), Precision: TextPrecision.Int8));

        var quantised = int8.Encode(Sentences);
        var reference = fixture.Encoder.Encode(Sentences);

        Assert.Equal(TextPrecision.Int8, int8.Precision);
        for (var i = 0; i < Sentences.Length; i++)
        {
            var cosine = VectorMath.Cosine(quantised[i], reference[i]);
            Assert.True(cosine >= 0.99, $"'{Sentences[i]}': cosine {cosine:F4}");
            Assert.True(cosine < 1 - 1e-7, $"'{Sentences[i]}': the int8 vector is the fp32 one; was the model quantised at all?");
        }
    }

    [Fact]
    public void Every_weight_product_of_MiniLM_is_quantised_and_ONNX_Runtime_fuses_each_into_one_int8_kernel()
    {
        var model = ModelProto.Parser.ParseFrom(MiniLmFiles.Load().Model);
        var floatProducts = model.Graph.Node.Count(n => n.OpType == "MatMul");

        var rewritten = DynamicMatMulQuantization.Rewrite(model, 7);

        // 6 layers × (Q, K, V, attention output, two feed-forward products); scores and context stay float.
        Assert.Equal(36, rewritten);
        Assert.Equal(floatProducts - 36, model.Graph.Node.Count(n => n.OpType == "MatMul"));
        // Q, K and V read one input: one quantisation of it per layer.
        Assert.Equal(36 - 6 * 2, model.Graph.Node.Count(n => n.OpType == "DynamicQuantizeLinear"));
        var optimised = Path.Combine(Path.GetTempPath(), $"urm-int8-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimised, IntraOpNumThreads = 1 })
            using (new InferenceSession(model.ToByteArray(), options)) { }
            var ops = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimised)).Graph.Node.Select(n => n.OpType).ToList();
            Assert.Equal(36 - 6 * 3, ops.Count(op => op == "DynamicQuantizeMatMul"));
            Assert.Equal(6 * 3, ops.Count(op => op == "MatMulIntegerToFloat"));
            Assert.DoesNotContain("MatMulInteger", ops);
            Assert.Equal(6, ops.Count(op => op == "DynamicQuantizeLinear"));   // the shared Q, K, V inputs
        }
        finally
        {
            File.Delete(optimised);
        }
    }

    [Fact]
    public void Parsing_and_writing_MiniLM_gives_back_its_exact_bytes()
    {
        var bytes = MiniLmFiles.Load().Model;

        Assert.True(bytes.AsSpan().SequenceEqual(ModelProto.Parser.ParseFrom(bytes).ToByteArray()));
    }

    [Fact]
    public void A_product_of_two_activations_is_left_alone_and_a_weight_product_stays_close_to_float()
    {
        var weights = Random(3 * 4, seed: 1);
        var graph = new GraphProto { Name = "two-products" };
        graph.Input.Add(Value("X", 2, 3));
        graph.Input.Add(Value("Y", 3, 4));
        graph.Output.Add(Value("P", 2, 4));
        graph.Output.Add(Value("Q", 2, 4));
        graph.Initializer.Add(Floats("W", weights, 3, 4));
        graph.Node.Add(Node("MatMul", "activations", ["X", "Y"], ["P"]));
        graph.Node.Add(Node("MatMul", "weights", ["X", "W"], ["Q"]));
        var model = Model(graph);

        Assert.Equal(1, DynamicMatMulQuantization.Rewrite(model, 7));

        var left = Assert.Single(model.Graph.Node, n => n.OpType == "MatMul");
        Assert.Equal(["X", "Y"], left.Input);
        Assert.DoesNotContain(model.Graph.Initializer, t => t.Name == "W");
        float[] x = [0.5f, -1f, 0.25f, 1f, 0.75f, -0.5f], y = Random(3 * 4, seed: 2);
        using var session = new InferenceSession(model.ToByteArray());
        using var xv = OrtValue.CreateTensorValueFromMemory(x, [2, 3]);
        using var yv = OrtValue.CreateTensorValueFromMemory(y, [3, 4]);
        using var outputs = session.Run(new RunOptions(), ["X", "Y"], [xv, yv], ["P", "Q"]);
        var p = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var q = outputs[1].GetTensorDataAsSpan<float>().ToArray();
        var expectedP = Product(x, y, 2, 3, 4);
        var expectedQ = Product(x, weights, 2, 3, 4);
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(expectedP[i], p[i], 1e-5f);
            Assert.Equal(expectedQ[i], q[i], 0.03f);
        }
        Assert.NotEqual(expectedQ, q);   // the weights did go through int8
    }

    [Fact]
    public void Fields_outside_the_proto_subset_survive_the_rewrite()
    {
        var graph = new GraphProto { Name = "one-product" };
        graph.Input.Add(Value("X", 1, 2));
        graph.Output.Add(Value("Q", 1, 2));
        graph.Initializer.Add(Floats("W", [1f, 2f, 3f, 4f], 2, 2));
        graph.Node.Add(Node("MatMul", "weights", ["X", "W"], ["Q"]));
        var bytes = Model(graph).ToByteArray();
        // ModelProto field 14, metadata_props (StringStringEntryProto: key 1, value 2), is not in the subset.
        var entry = new MemoryStream();
        using (var w = new CodedOutputStream(entry, leaveOpen: true)) { w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString("card-set"); w.WriteTag(2, WireFormat.WireType.LengthDelimited); w.WriteString("beauty"); }
        var withMetadata = new MemoryStream();
        withMetadata.Write(bytes);
        using (var w = new CodedOutputStream(withMetadata, leaveOpen: true)) { w.WriteTag(14, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(entry.ToArray())); }

        var rewritten = DynamicMatMulQuantization.Apply(withMetadata.ToArray());

        using var session = new InferenceSession(rewritten);
        Assert.Equal("beauty", session.ModelMetadata.CustomMetadataMap["card-set"]);
        Assert.Contains(ModelProto.Parser.ParseFrom(rewritten).Graph.Node, n => n.OpType == "MatMulInteger");
    }

    [Theory]
    [InlineData(8, 127)]
    [InlineData(7, 63)]
    public void Each_column_is_scaled_to_its_own_largest_weight(int bits, int qmax)
    {
        // Columns: large, small, all zero.
        float[] b = [4f, 0.005f, 0f, -1.5f, -0.02f, 0f];

        var (weights, scales) = DynamicMatMulQuantization.Quantise(Floats("B", b, 2, 3), bits, "Bq", "Bs");

        var s = MemoryMarshal.Cast<byte, float>(scales.RawData.Span).ToArray();
        var q = MemoryMarshal.Cast<byte, sbyte>(weights.RawData.Span).ToArray();
        Assert.Equal([2, 3], weights.Dims);
        Assert.Equal([3], scales.Dims);
        Assert.Equal(4f / qmax, s[0], 1e-7f);
        Assert.Equal(0.02f / qmax, s[1], 1e-9f);
        Assert.Equal(1f, s[2]);
        // 0.005 / 0.02 · qmax and −1.5 / 4 · qmax, rounded: no ties at these values.
        Assert.Equal([(sbyte)qmax, (sbyte)(qmax == 127 ? 32 : 16), 0, (sbyte)(qmax == 127 ? -48 : -24), (sbyte)-qmax, 0], q);
    }

    [Fact]
    public void Weight_bits_other_than_7_or_8_are_refused()
    {
        var graph = new GraphProto();
        Assert.Throws<ArgumentOutOfRangeException>(() => DynamicMatMulQuantization.Rewrite(Model(graph), 4));
    }

    private static float[] Product(float[] a, float[] b, int m, int k, int n)
    {
        var c = new float[m * n];
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
                for (var t = 0; t < k; t++)
                    c[i * n + j] += a[i * k + t] * b[t * n + j];
        return c;
    }
}

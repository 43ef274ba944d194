using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Urm.Core.Features.Images;
using Urm.Core.Features.Onnx.Proto;
using Urm.Core.Pretrained;

namespace Urm.Core.Tests.Features;

public class ResNetImagePreprocessingTests
{
    private static byte[] Graph => File.ReadAllBytes(PretrainedPaths.ResNet18Preprocess);

    [Fact]
    public void The_folded_preprocessing_gives_the_graph_s_values_bit_for_bit()
    {
        var random = new Random(7);
        var rgb = Enumerable.Range(0, 3 * ImageEncoder.Side * ImageEncoder.Side).Select(_ => (float)random.Next(256)).ToArray();
        using var session = new InferenceSession(Graph);
        using var input = OrtValue.CreateTensorValueFromMemory(rgb, [1, 3, ImageEncoder.Side, ImageEncoder.Side]);
        using var runOptions = new RunOptions();
        using var output = session.Run(runOptions, [session.InputNames[0]], [input], [session.OutputNames[0]]);
        var expected = output[0].GetTensorDataAsSpan<float>().ToArray();

        var actual = new float[rgb.Length];
        ResNetPreprocessing.Load(Graph).Apply(rgb, actual);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_graph_that_keeps_rgb_order_is_refused()
    {
        var model = ModelProto.Parser.ParseFrom(Graph);
        var concat = model.Graph.Node.Single(n => n.OpType == "Concat");
        var inputs = concat.Input.Reverse().ToArray();
        concat.Input.Clear();
        concat.Input.Add(inputs);

        var e = Assert.Throws<InvalidDataException>(() => ResNetPreprocessing.Load(model.ToByteArray()));
        Assert.Contains("B, G, R", e.Message);
    }

    [Fact]
    public void The_resnet_graph_is_not_taken_for_the_preprocessing()
    {
        Assert.Throws<InvalidDataException>(() => ResNetPreprocessing.Load(File.ReadAllBytes(PretrainedPaths.ResNet18Model)));
    }
}

using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Urm.Core.Features.Onnx;
using Urm.Core.Features.Onnx.Proto;
using Urm.Core.Pretrained;
using static Urm.Core.Tests.Features.Onnx.TinyModels;

namespace Urm.Core.Tests.Features.Onnx;

public class SymbolicBatchDimensionTests
{
    [Fact]
    public void The_ResNet_graphs_take_any_batch_after_the_rewrite()
    {
        foreach (var path in new[] { PretrainedPaths.ResNet18Model, PretrainedPaths.ResNet18Preprocess })
        {
            var original = File.ReadAllBytes(path);
            Assert.True(original.AsSpan().SequenceEqual(ModelProto.Parser.ParseFrom(original).ToByteArray()), $"{path} does not round-trip");

            using var session = new InferenceSession(SymbolicBatchDimension.Apply(original));

            Assert.Equal(-1, session.InputMetadata.Values.Single().Dimensions[0]);
            Assert.Equal(-1, session.OutputMetadata.Values.Single().Dimensions[0]);
            Assert.Equal(SymbolicBatchDimension.Symbol, session.InputMetadata.Values.Single().SymbolicDimensions[0]);
        }
    }

    [Fact]
    public void A_graph_that_reshapes_is_refused()
    {
        var graph = new GraphProto();
        graph.Input.Add(Value("X", 1, 4));
        graph.Output.Add(Value("Y", 1, 2, 2));
        var shape = new TensorProto { Name = "shape", DataType = (int)TensorProto.Types.DataType.Int64 };
        shape.Dims.Add(3);
        shape.Int64Data.AddRange([1, 2, 2]);
        graph.Initializer.Add(shape);
        graph.Node.Add(Node("Reshape", "fixed", ["X", "shape"], ["Y"]));

        var e = Assert.Throws<InvalidDataException>(() => SymbolicBatchDimension.Apply(Model(graph).ToByteArray()));
        Assert.Contains("Reshape", e.Message);
    }
}

using Microsoft.ML.OnnxRuntime.Tensors;

namespace Urm.Core.Models.Package;

/// <summary>An input or output exactly as the C# code feeds or reads it.</summary>
/// <param name="Optional">An output the code reads where the graph has it (packages exported before it may not).</param>
internal sealed record TensorContract(string Name, TensorElementType Type, IReadOnlyList<TensorDim> Dims, bool Optional = false)
{
    public string Dtype => Type switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Int64 => "int64",
        _ => Type.ToString().ToLowerInvariant(),
    };

    public string ShapeText => "[" + string.Join(", ", Dims) + "]";
}

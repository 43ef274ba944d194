namespace Urm.Core.Models;

/// <summary>One ONNX graph of the package: its file name and declared inputs and outputs.</summary>
public sealed record OnnxGraphSpec(string File, IReadOnlyList<OnnxTensorSpec> Inputs, IReadOnlyList<OnnxTensorSpec> Outputs);

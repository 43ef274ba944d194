namespace Urm.Core.Models.Package;

/// <summary>The manifest's <c>onnx</c> section.</summary>
public sealed record OnnxSection(int Opset, OnnxGraphSpec Fusion, OnnxGraphSpec User);

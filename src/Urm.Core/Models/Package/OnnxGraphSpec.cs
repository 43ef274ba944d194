namespace Urm.Core.Models.Package;

/// <summary>One ONNX graph of the package: its file name and declared inputs and outputs.</summary>
/// <param name="Sha256">
/// Hex SHA-256 of the file, written by the trainer's export; a file whose bytes differ is refused.
/// Absent from manifests exported before it was added, which still load unchecked.
/// </param>
public sealed record OnnxGraphSpec(string File, IReadOnlyList<OnnxTensorSpec> Inputs, IReadOnlyList<OnnxTensorSpec> Outputs, string? Sha256 = null);

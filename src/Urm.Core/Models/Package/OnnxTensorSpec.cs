using System.Text.Json;

namespace Urm.Core.Models.Package;

/// <summary>
/// One graph input or output as the manifest lists it. <paramref name="Shape"/> mixes strings (dynamic
/// dims, e.g. "n") and numbers (fixed dims), so it stays as JSON values.
/// </summary>
public sealed record OnnxTensorSpec(string Name, IReadOnlyList<JsonElement> Shape, string Dtype);

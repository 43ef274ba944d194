using System.Text.Json;

namespace Urm.Azure.Blobs;

/// <summary><c>models/active.json</c>: <c>{"version": "&lt;v&gt;"}</c>, naming the folder <c>models/&lt;v&gt;/</c> to serve.</summary>
public static class ModelPointer
{
    public const string BlobName = "active.json";

    /// <exception cref="FormatException">Not <c>{"version": "&lt;v&gt;"}</c> with a plain folder name.</exception>
    public static string ReadVersion(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var root = JsonDocument.Parse(json).RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String
                && v.GetString()?.Trim('/') is { Length: > 0 } version
                && !version.Contains("..", StringComparison.Ordinal) && !version.Contains('\\') && !version.Contains('/'))
                return version;
        }
        catch (JsonException)
        {
        }
        throw new FormatException("models/active.json must be {\"version\": \"<version>\"}, naming a folder models/<version>/ that holds manifest.json, fusion.onnx and user.onnx.");
    }
}

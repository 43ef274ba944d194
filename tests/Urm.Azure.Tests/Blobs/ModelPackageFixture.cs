using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Urm.Azure.Tests.Blobs;

/// <summary>
/// The files of a model package as the trainer lays them out: a manifest that passes the manifest checks,
/// with the SHA-256 of each graph file. The graph bytes are placeholders: what is tested here is download
/// and checksum, not ONNX (Urm.Core.Tests load real trained graphs).
/// </summary>
public static class ModelPackageFixture
{
    public static IReadOnlyDictionary<string, byte[]> Files(string version)
    {
        var fusion = Encoding.UTF8.GetBytes("fusion graph bytes of " + version);
        var user = Encoding.UTF8.GetBytes("user graph bytes of " + version);
        var metrics = new Dictionary<string, object> { ["HR@5"] = 0.1, ["NDCG@5"] = 0.05, ["HR@10"] = 0.2, ["NDCG@10"] = 0.07, ["users"] = 10 };
        var manifest = new
        {
            version,
            createdAt = "20260101T000000Z",
            sizes = new { d = 16, dCard = 16, M = 2, L = 6, layers = 1, heads = 2, textDim = 384, imageDim = 512, attributeBuckets = 100, attributeTokens = 3, priceBuckets = 8, idCount = 0, eventTypes = 5 },
            modalities = new[] { "text", "id" },
            idTable = new Dictionary<string, int>(),
            prompts = new[] { new { key = "task:next-item", text = "next item" } },
            tasks = new Dictionary<string, string> { ["next-item"] = "task:next-item" },
            eventTypes = new Dictionary<string, int> { ["padding"] = 0, ["view"] = 1 },
            metrics = new { validation = metrics, test = metrics, bestEpoch = 1 },
            onnx = new
            {
                opset = 17,
                fusion = new { file = "fusion.onnx", sha256 = Hex(fusion), inputs = Array.Empty<object>(), outputs = Array.Empty<object>() },
                user = new { file = "user.onnx", sha256 = Hex(user), inputs = Array.Empty<object>(), outputs = Array.Empty<object>() },
            },
        };
        return new Dictionary<string, byte[]>
        {
            ["manifest.json"] = JsonSerializer.SerializeToUtf8Bytes(manifest),
            ["fusion.onnx"] = fusion,
            ["user.onnx"] = user,
            ["parity/user/user_vectors.npy"] = [1, 2, 3],
        };
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

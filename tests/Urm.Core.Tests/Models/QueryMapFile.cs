using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Urm.Core.Tests.Models;

/// <summary>
/// Writes query_map.bin as the trainer does (little-endian "URMQ", version, rows, cols, float32 A row-major),
/// from a matrix or header that may break the format for the refusal tests, and adds the manifest's
/// <c>search.queryMap</c> object to a package copy whose manifest already has a search section.
/// </summary>
internal static class QueryMapFile
{
    public const string Name = "query_map.bin";

    /// <summary>The file's bytes; the header's shape is n x n for n² values unless given.</summary>
    public static byte[] Bytes(float[] matrix, string magic = "URMQ", int version = 1, int? rows = null, int? cols = null)
    {
        var n = (int)Math.Round(Math.Sqrt(matrix.Length));
        var bytes = new byte[16 + 4 * matrix.Length];
        Encoding.ASCII.GetBytes(magic).CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), rows ?? n);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), cols ?? n);
        for (var i = 0; i < matrix.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(16 + 4 * i), matrix[i]);
        return bytes;
    }

    /// <summary>An n x n matrix of values uniform in [-1, 1), row-major.</summary>
    public static float[] Random(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n * n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>A[r, c] = u_r · v_c: sends q to &lt;q, u&gt; v, so a unit u sends u itself to v.</summary>
    public static float[] Outer(float[] u, float[] v)
    {
        var matrix = new float[u.Length * v.Length];
        for (var r = 0; r < u.Length; r++)
            for (var c = 0; c < v.Length; c++) matrix[r * v.Length + c] = u[r] * v[c];
        return matrix;
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> as query_map.bin into the package <paramref name="directory"/> and adds
    /// search.queryMap (with the file's SHA-256 and the trainer's validation figures, which serving reads past);
    /// <paramref name="edit"/> may change the object after.
    /// </summary>
    public static void AddTo(string directory, byte[] bytes, Action<JsonObject>? edit = null)
    {
        File.WriteAllBytes(Path.Combine(directory, Name), bytes);
        var map = new JsonObject
        {
            ["file"] = Name,
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            ["validation"] = new JsonObject { ["textAloneNdcg10"] = 0.2, ["ndcg10"] = 0.3, ["unmappedNdcg10"] = 0.25 },
        };
        edit?.Invoke(map);
        CoOccurrenceFile.EditManifest(directory, m => m["search"]!.AsObject()["queryMap"] = map);
    }
}

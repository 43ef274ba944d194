using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Urm.Core.Models.Package;
using Urm.Core.Prompts;

namespace Urm.Core.Tests.Models;

/// <summary>
/// Writes popularity.bin as the trainer does (little-endian "URMP", version, rows, float32 counts), from
/// counts that may break the format for the refusal tests, and sets the manifest's <c>search</c> section
/// with its <c>popularity</c> object in a package copy, with the search task the tiny model was not trained on.
/// </summary>
internal static class PopularityFile
{
    public const string Name = "popularity.bin";

    /// <summary>The file's bytes; the header's rows follow the counts unless given.</summary>
    public static byte[] Bytes(float[] counts, string magic = "URMP", int version = 1, int? rows = null)
    {
        var bytes = new byte[12 + 4 * counts.Length];
        Encoding.ASCII.GetBytes(magic).CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), rows ?? counts.Length);
        for (var r = 0; r < counts.Length; r++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(12 + 4 * r), counts[r]);
        return bytes;
    }

    /// <summary>Counts for <paramref name="idCount"/> items (row 0 is 0): whole numbers from 0 to 200, a few 0.</summary>
    public static float[] Random(int idCount, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, idCount + 1).Select(r => r == 0 || random.NextDouble() < 0.1 ? 0f : random.Next(1, 201)).ToArray();
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> as popularity.bin into the package <paramref name="directory"/> and sets
    /// the manifest's search section (text weights as given, the prior with the file's SHA-256);
    /// <paramref name="edit"/> may change the popularity object after.
    /// </summary>
    public static void AddTo(string directory, byte[] bytes, double weight, double weightWithoutHistory,
        double textWeight = 0, double textWeightWithoutHistory = 0, Action<JsonObject>? edit = null)
    {
        File.WriteAllBytes(Path.Combine(directory, Name), bytes);
        var popularity = new JsonObject
        {
            ["file"] = Name,
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            ["weight"] = weight,
            ["weightWithoutHistory"] = weightWithoutHistory,
            // The trainer's figures: serving reads past them.
            ["validation"] = new JsonObject { ["users"] = 12, ["ndcg10ByWeight"] = new JsonObject { ["0.04"] = 0.5 } },
        };
        edit?.Invoke(popularity);
        AddSearch(directory, textWeight, textWeightWithoutHistory, popularity);
    }

    /// <summary>Sets the manifest's search section (and the search task); <paramref name="popularity"/> null for none.</summary>
    public static void AddSearch(string directory, double textWeight, double textWeightWithoutHistory, JsonObject? popularity = null)
        => CoOccurrenceFile.EditManifest(directory, m =>
        {
            AddSearchTask(m);
            var search = new JsonObject
            {
                ["textWeight"] = textWeight, ["textWeightWithoutHistory"] = textWeightWithoutHistory, ["textModel"] = SearchSection.ServedTextModel,
            };
            if (popularity is not null) search["popularity"] = popularity;
            m["search"] = search;
        });

    /// <summary>Lists the search task without a search section: search served by the model's score alone.</summary>
    public static void AddSearchTask(string directory) => CoOccurrenceFile.EditManifest(directory, AddSearchTask);

    // The tiny model is not trained on search; the served search reads the template instruction.
    private static void AddSearchTask(JsonObject manifest)
    {
        var prompts = manifest["prompts"]!.AsArray();
        if (!prompts.Any(p => p!["key"]!.GetValue<string>() == "task:search"))
            prompts.Add(new JsonObject { ["key"] = "task:search", ["text"] = PromptTemplates.Tasks["search"] });
        manifest["tasks"]!.AsObject()["search"] = "task:search";
    }
}

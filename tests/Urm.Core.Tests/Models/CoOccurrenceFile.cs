using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Urm.Core.Tests.Models;

/// <summary>
/// Writes cooccurrence.bin as the trainer does (little-endian "URMC", version, rows, pairs, offsets,
/// neighbours, counts), from plain rows or, for the refusal tests, from raw parts that may break the format,
/// and adds the manifest's <c>cooccurrence</c> section to a package copy.
/// </summary>
internal static class CoOccurrenceFile
{
    public const string Name = "cooccurrence.bin";

    /// <summary>The table as test code thinks of it: row (idTable value) -> (neighbour, count), in any order.</summary>
    public sealed record Table(int Rows, IReadOnlyDictionary<int, (int Neighbour, float Count)[]> Entries)
    {
        public int Pairs => Entries.Values.Sum(e => e.Length);

        /// <summary>C[row][neighbour], 0 when absent (sums entries listed twice).</summary>
        public double Count(int row, int neighbour)
            => Entries.TryGetValue(row, out var entries) ? entries.Where(e => e.Neighbour == neighbour).Sum(e => (double)e.Count) : 0;

        /// <summary>The parts of the file: offsets, then neighbours and counts, each row sorted by count descending.</summary>
        public (int[] Offsets, int[] Neighbours, float[] Counts) Parts()
        {
            var offsets = new int[Rows + 1];
            var neighbours = new List<int>();
            var counts = new List<float>();
            for (var r = 0; r < Rows; r++)
            {
                offsets[r] = neighbours.Count;
                if (Entries.TryGetValue(r, out var entries))
                    foreach (var (n, c) in entries.OrderByDescending(e => e.Count))
                    {
                        neighbours.Add(n);
                        counts.Add(c);
                    }
            }
            offsets[Rows] = neighbours.Count;
            return (offsets, neighbours.ToArray(), counts.ToArray());
        }

        public byte[] Bytes()
        {
            var (offsets, neighbours, counts) = Parts();
            return CoOccurrenceFile.Bytes(offsets, neighbours, counts);
        }
    }

    /// <summary>The file's bytes from its parts; the header's rows and pairs follow the parts unless given.</summary>
    public static byte[] Bytes(int[] offsets, int[] neighbours, float[] counts, string magic = "URMC", int version = 1, int? rows = null, int? pairs = null)
    {
        using var stream = new MemoryStream();
        var word = new byte[4];
        void Int(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(word, value);
            stream.Write(word);
        }
        stream.Write(Encoding.ASCII.GetBytes(magic));
        Int(version);
        Int(rows ?? offsets.Length - 1);
        Int(pairs ?? neighbours.Length);
        foreach (var o in offsets) Int(o);
        foreach (var n in neighbours) Int(n);
        foreach (var c in counts)
        {
            BinaryPrimitives.WriteSingleLittleEndian(word, c);
            stream.Write(word);
        }
        return stream.ToArray();
    }

    /// <summary>A random table over <paramref name="idCount"/> items: a few neighbours per row, counts from 0.01 to 50.</summary>
    public static Table Random(int idCount, int seed, int perItem = 5)
    {
        var random = new Random(seed);
        var entries = new Dictionary<int, (int, float)[]>();
        for (var r = 1; r <= idCount; r++)
        {
            var n = random.Next(0, perItem + 1);
            entries[r] = Enumerable.Range(1, idCount).Where(i => i != r).OrderBy(_ => random.Next()).Take(n)
                .Select(i => (i, (float)Math.Round(Math.Exp(random.NextDouble() * Math.Log(5000)) / 100, 2) + 0.01f)).ToArray();
        }
        return new Table(idCount + 1, entries);
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> as cooccurrence.bin into the package <paramref name="directory"/> and
    /// sets the manifest's section (with the file's SHA-256); <paramref name="edit"/> may change the section after.
    /// </summary>
    public static void AddTo(string directory, byte[] bytes, int pairs, double weight, int recent, string[] tasks, Action<JsonObject>? edit = null)
    {
        File.WriteAllBytes(Path.Combine(directory, Name), bytes);
        var section = new JsonObject
        {
            ["file"] = Name,
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            ["weight"] = weight,
            ["recent"] = recent,
            ["window"] = 3,
            ["perItem"] = 100,
            ["pairs"] = pairs,
            ["tasks"] = new JsonArray(tasks.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()),
        };
        edit?.Invoke(section);
        EditManifest(directory, m => m["cooccurrence"] = section);
    }

    public static void EditManifest(string directory, Action<JsonObject> edit)
    {
        var path = Path.Combine(directory, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
    }

    /// <summary>A copy of every file of the package <paramref name="directory"/> in a new temporary folder.</summary>
    public static string CopyPackage(string directory, string prefix = "urm-cooccurrence-model-")
    {
        var copy = Directory.CreateTempSubdirectory(prefix).FullName;
        foreach (var file in Directory.GetFiles(directory))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }
}

using System.Text.Json.Nodes;

namespace Urm.Core.Tests.Models;

/// <summary>
/// The manifest's <c>repeat</c> section for a package copy, as the trainer writes it, and the term by its
/// definition (docs/FORMATS.md), item by item, for checking what the code computes.
/// </summary>
internal static class RepeatManifest
{
    public static readonly int[] Starts = [0, 1, 2, 3, 5, 10, 20];
    public static readonly string[] EventNames = ["view", "click", "cart", "purchase"];

    /// <summary>Sets the manifest's section; <paramref name="edit"/> may change it after.</summary>
    public static void AddTo(string directory, string[] tasks, int[] starts, IReadOnlyDictionary<string, float[]> byEvent, Action<JsonObject>? edit = null)
    {
        var section = new JsonObject
        {
            ["tasks"] = new JsonArray(tasks.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()),
            ["recencyStarts"] = new JsonArray(starts.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
            ["byEvent"] = new JsonObject(byEvent.Select(e => KeyValuePair.Create(e.Key,
                (JsonNode?)new JsonArray(e.Value.Select(v => (JsonNode)JsonValue.Create(v)).ToArray())))),
        };
        edit?.Invoke(section);
        CoOccurrenceFile.EditManifest(directory, m => m["repeat"] = section);
    }

    /// <summary>Random terms for every event name, one per bucket, within ±<paramref name="scale"/> (some exactly 0).</summary>
    public static Dictionary<string, float[]> Random(int seed, int buckets, double scale)
    {
        var random = new Random(seed);
        return EventNames.ToDictionary(e => e, _ => Enumerable.Range(0, buckets)
            .Select(_ => random.NextDouble() < 0.15 ? 0f : (float)((random.NextDouble() * 2 - 1) * scale)).ToArray());
    }

    /// <summary>
    /// term(i) for each distinct item of the model history (item, event name), oldest -> newest: its newest
    /// occurrence's recency r (items after it), bucket = largest b with starts[b] ≤ r, byEvent[event][b];
    /// only the non-zero ones.
    /// </summary>
    public static Dictionary<string, float> Of(int[] starts, IReadOnlyDictionary<string, float[]> byEvent, IReadOnlyList<(string Item, string Event)> modelHistory)
    {
        var terms = new Dictionary<string, float>(StringComparer.Ordinal);
        var decided = new HashSet<string>(StringComparer.Ordinal);
        for (var i = modelHistory.Count - 1; i >= 0; i--)
        {
            var (item, e) = modelHistory[i];
            if (!decided.Add(item)) continue;
            var r = modelHistory.Count - 1 - i;
            var bucket = Enumerable.Range(0, starts.Length).Last(b => starts[b] <= r);
            if (byEvent.TryGetValue(e, out var values) && values[bucket] != 0) terms[item] = values[bucket];
        }
        return terms;
    }
}

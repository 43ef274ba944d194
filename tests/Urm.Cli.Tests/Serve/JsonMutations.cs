using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Urm.Cli.Tests.Serve;

/// <summary>
/// Seeded damage to a valid JSON body, for the fuzz tests of every route that reads one: a node of the tree
/// dropped, duplicated, retyped or replaced (random unicode, huge numbers), or bytes deleted, inserted, swapped.
/// </summary>
internal static class JsonMutations
{
    private static readonly JsonNode?[] Replacements =
    [
        null, true, false, 0, -1, 1e308, double.MaxValue, long.MinValue, 3.14159, "", " ", "sku-1", "teleport",
        "\u0000", "🙂🙃", "\u202e\u200b", new JsonArray(), new JsonObject(), new JsonArray(1, "a", null), new JsonObject { ["itemId"] = 7 },
    ];

    /// <summary>
    /// Posts <paramref name="bodies"/> mutations of the <paramref name="valid"/> bodies (seeded) to <paramref name="path"/>:
    /// none may be answered 5xx, every 4xx must be problem+json, and every 200 must pass <paramref name="checkOk"/>
    /// (null when it does, else what is wrong). Each kind must have been seen often enough
    /// (<paramref name="minOk"/>, <paramref name="minBadRequest"/>), or the mutations are too tame or too wild.
    /// </summary>
    public static async Task AssertNoServerErrorAsync(HttpClient client, string path, string[] valid, int seed, int bodies, int minOk, int minBadRequest,
        Func<string, string, string?> checkOk)
    {
        var random = new Random(seed);
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < bodies; i++)
        {
            var body = Mutate(random, valid[random.Next(valid.Length)]);
            var (status, mediaType, answer) = await Problem.PostAsync(client, body, path: path);
            statuses[(int)status] = statuses.GetValueOrDefault((int)status) + 1;
            if ((int)status >= 500) failures.Add($"{(int)status} for {Shorten(body)}: {Shorten(answer)}");
            else if ((int)status >= 400 && mediaType != "application/problem+json") failures.Add($"{(int)status} as {mediaType} for {Shorten(body)}");
            else if (status == HttpStatusCode.OK && checkOk(body, answer) is { } wrong) failures.Add($"{wrong} for {Shorten(body)}: {Shorten(answer)}");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
        Assert.True(statuses.GetValueOrDefault(200) > minOk, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(400) > minBadRequest, string.Join(", ", statuses));
    }

    private static string Shorten(string value) => value.Length <= 300 ? value : value[..300] + "…";

    public static string Mutate(Random random, string valid)
    {
        var rounds = 1 + random.Next(3);
        var text = valid;
        for (var r = 0; r < rounds; r++)
            text = random.Next(10) switch
            {
                < 7 => MutateTree(random, text),
                < 9 => MutateText(random, text),
                _ => RandomUnicode(random, random.Next(1, 200)),
            };
        return text;
    }

    /// <summary>Drop, duplicate, retype or replace a random node of the JSON tree.</summary>
    private static string MutateTree(Random random, string text)
    {
        JsonNode? root;
        var nodes = new List<JsonNode>();
        try
        {
            root = JsonNode.Parse(text);
            if (root is null) return text;
            Collect(root, nodes);
        }
        // Text a previous round damaged (bad JSON, lone surrogates, duplicate keys): damage it further.
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException) { return MutateText(random, text); }
        var target = nodes[random.Next(nodes.Count)];
        var parent = target.Parent;
        switch (random.Next(6))
        {
            case 0 when parent is JsonObject o:
                o.Remove(target.GetPropertyName());
                break;
            case 1 when parent is JsonArray a:
                a.Add(target.DeepClone());
                break;
            case 2 when parent is JsonObject o:
                o[target.GetPropertyName() + (random.Next(2) == 0 ? "" : "X")] = RandomValue(random);
                break;
            case 3 when parent is not null:
                target.ReplaceWith(RandomValue(random));
                break;
            case 4 when parent is not null:
                target.ReplaceWith(JsonValue.Create(RandomUnicode(random, random.Next(0, random.Next(2) == 0 ? 20 : 2_000))));
                break;
            case 5 when parent is not null:
                target.ReplaceWith(JsonValue.Create(random.Next(3) switch { 0 => random.NextDouble() * 1e300, 1 => -random.NextInt64(), _ => (double)random.Next(-5, 300) }));
                break;
            default:
                return RandomValue(random)?.ToJsonString() ?? "null";
        }
        var json = root.ToJsonString();
        // Duplicate a property textually now and then (JsonNode cannot hold duplicates).
        if (random.Next(8) == 0 && json.StartsWith("{\"", StringComparison.Ordinal))
        {
            var end = json.IndexOf(',');
            if (end > 0) json = "{" + json[1..end] + "," + json[1..];
        }
        return json;
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        if (node is JsonObject o) foreach (var (_, child) in o) { if (child is not null) Collect(child, nodes); }
        else if (node is JsonArray a) foreach (var child in a) { if (child is not null) Collect(child, nodes); }
    }

    private static JsonNode? RandomValue(Random random) => Replacements[random.Next(Replacements.Length)]?.DeepClone();

    /// <summary>Byte-level damage: delete, insert or swap characters.</summary>
    private static string MutateText(Random random, string text)
    {
        var builder = new StringBuilder(text);
        var edits = 1 + random.Next(4);
        for (var e = 0; e < edits && builder.Length > 0; e++)
        {
            var at = random.Next(builder.Length);
            switch (random.Next(3))
            {
                case 0: builder.Remove(at, 1); break;
                case 1: builder.Insert(at, "{}[],:\"\\ 0-eE.tnf"[random.Next(17)]); break;
                default: builder[at] = (char)random.Next(0x20, 0x7f); break;
            }
        }
        return builder.ToString();
    }

    private static string RandomUnicode(Random random, int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            var pick = random.Next(10);
            if (pick < 6) builder.Append((char)random.Next(0x20, 0x7f));
            else if (pick < 8) builder.Append((char)random.Next(0xa0, 0xd7ff));
            else if (pick < 9) builder.Append(char.ConvertFromUtf32(random.Next(0x1f300, 0x1faff)));
            else builder.Append((char)random.Next(0xd800, 0xdfff)); // a lone surrogate
        }
        return builder.ToString();
    }
}

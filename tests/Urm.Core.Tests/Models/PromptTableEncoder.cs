using System.Text.Json;
using Urm.Core.Features;
using Urm.Core.Features.Text;
using Urm.Offline.FeatureFiles;

namespace Urm.Core.Tests.Models;

/// <summary>
/// Prompt texts the tiny model was trained with get their rows of prompts.npy (the tiny model's prompts
/// are random vectors, not MiniLM); any other text (a query, free text) gets a unit vector seeded by the
/// text, so different texts give different prompts, and the same text the same one in every run.
/// Every text asked for is recorded in <see cref="Encoded"/>.
/// </summary>
internal sealed class PromptTableEncoder : ITextEncoder
{
    private readonly Dictionary<string, float[]> _rows = new(StringComparer.Ordinal);

    public PromptTableEncoder(string featuresDir)
    {
        var texts = File.ReadLines(Path.Combine(featuresDir, "prompts.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToList();
        var table = NpyReader.Float32(Path.Combine(featuresDir, "prompts.npy"));
        Dimension = table.Shape[1];
        for (var i = 0; i < texts.Count; i++) _rows[texts[i]] = table.Values.AsSpan(i * Dimension, Dimension).ToArray();
    }

    public int Dimension { get; }

    public List<string> Encoded { get; } = [];

    public float[][] Encode(IReadOnlyList<string> texts)
    {
        Encoded.AddRange(texts);
        return texts.Select(t => _rows.TryGetValue(t, out var row) ? row : Seeded(t)).ToArray();
    }

    private float[] Seeded(string text)
    {
        var random = new Random(unchecked((int)Fnv1a64.Hash(text)));
        var v = Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }
}

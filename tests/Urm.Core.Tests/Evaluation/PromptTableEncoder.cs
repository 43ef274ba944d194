using System.Text.Json;
using Urm.Core.Features;

namespace Urm.Core.Tests.Evaluation;

/// <summary>
/// A text encoder that answers with the rows of a features directory's prompts.npy for the texts in its
/// prompts.jsonl: the tiny model's prompts are random vectors, not MiniLM, and this hands the serving
/// side exactly what the trainer read. Other texts get a fixed vector and are counted.
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
        return texts.Select(t => _rows.TryGetValue(t, out var row) ? row : Enumerable.Repeat(1f / MathF.Sqrt(Dimension), Dimension).ToArray()).ToArray();
    }
}

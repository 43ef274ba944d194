using System.Text.Encodings.Web;
using System.Text.Json;
using Urm.Core.Features.Text;
using Urm.Core.Prompts;
using Urm.Offline.FeatureFiles;

namespace Urm.Offline.Training;

/// <summary>
/// Writes prompts.jsonl + prompts.npy into a features directory: the text-encoder embedding of every
/// prompt piece the trainer may use (each task instruction and its paraphrases, and one piece per category
/// in items.jsonl).
/// The trainer has no text encoder of its own, so training and serving embed prompts identically.
/// </summary>
public static class PromptExport
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> WriteAsync(string featuresDir, ITextEncoder text, CancellationToken cancellationToken)
    {
        var pieces = PromptTemplates.Tasks.Select(t => (Key: PromptTemplates.TaskKey(t.Key), Text: t.Value)).ToList();
        foreach (var (task, wordings) in PromptTemplates.Paraphrases)
            pieces.AddRange(wordings.Select((text, i) => (PromptTemplates.ParaphraseKey(task, i), text)));
        var categories = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(featuresDir, "items.jsonl")))
        {
            using var row = JsonDocument.Parse(line);
            if (row.RootElement.TryGetProperty("category", out var category) && category.ValueKind == JsonValueKind.String)
                categories.Add(category.GetString()!);
        }
        pieces.AddRange(categories.Select(c => (PromptTemplates.CategoryKey(c), PromptTemplates.CategoryText(c))));

        await using var keys = new StreamWriter(Path.Combine(featuresDir, "prompts.jsonl"));
        using var embeddings = NpyWriter.Float32(Path.Combine(featuresDir, "prompts.npy"), text.Dimension);
        foreach (var chunk in pieces.Chunk(64))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var vectors = text.Encode(chunk.Select(p => p.Text).ToList());
            for (var i = 0; i < chunk.Length; i++)
            {
                await keys.WriteLineAsync(JsonSerializer.Serialize(new { key = chunk[i].Key, text = chunk[i].Text }, Json).AsMemory(), cancellationToken);
                embeddings.WriteRow(vectors[i]);
            }
        }
        return pieces.Count;
    }
}

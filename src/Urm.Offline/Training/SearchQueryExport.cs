using System.Text.Encodings.Web;
using System.Text.Json;
using Urm.Core.Catalog;
using Urm.Core.Features.Text;
using Urm.Offline.FeatureFiles;
using Urm.Core.Prompts;

namespace Urm.Offline.Training;

/// <summary>
/// Writes queries.jsonl + queries.npy + queries_typed.npy into a features directory: the search queries the
/// trainer learns the search task from (<see cref="SearchQueries"/>, <see cref="PerItem"/> per item), each
/// embedded as the query piece serving embeds (<see cref="PromptTemplates.QueryText"/>) and as typed (what
/// the served text term compares with the item text; the trainer adds that term to the search rows'
/// logits, so the model learns what the text misses). Items whose queries are
/// held out for evaluation (<see cref="SearchQueries.IsHeldOut"/>) get none there; their evaluation
/// query (the one <c>urm evaluate --task search</c> asks) goes to held_out_queries.jsonl, embedded as the
/// query piece (held_out_queries.npy) and as typed (held_out_queries_typed.npy, what the served text
/// term compares with the item text), never to be trained on: the trainer chooses the weight of the
/// served search score's text term on the validation users among those.
/// </summary>
public static class SearchQueryExport
{
    public const int PerItem = 4;

    /// <summary>The seed of training draws; evaluation draws with <see cref="SearchQueries.EvaluationSeed"/>.</summary>
    public const string TrainingSeed = "train";

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const string HeldOutFile = "held_out_queries";

    /// <returns>The number of queries written and of items that have some.</returns>
    public static async Task<(int Queries, int Items)> WriteAsync(string catalogPath, string featuresDir, ITextEncoder text, CancellationToken cancellationToken)
    {
        var trained = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(featuresDir, "items.jsonl")))
        {
            using var row = JsonDocument.Parse(line);
            trained.Add(row.RootElement.GetProperty("id").GetString()!);
        }

        var pairs = new List<(string Id, string Query)>();
        var heldOut = new List<(string Id, string Query)>();
        var items = 0;
        // Bad rows were reported when the features were written; here they are only skipped.
        await foreach (var item in CatalogReader.ReadAsync(catalogPath, new ReadReport(), cancellationToken))
        {
            if (!trained.Contains(item.Id)) continue;
            if (SearchQueries.IsHeldOut(item.Id))
            {
                // The same draw as urm evaluate's (EvaluateCommand.HeldOutQueries).
                if (SearchQueries.For(item, 1, SearchQueries.EvaluationSeed).FirstOrDefault() is { } probe) heldOut.Add((item.Id, probe));
                continue;
            }
            var queries = SearchQueries.For(item, PerItem, TrainingSeed);
            if (queries.Count > 0) items++;
            pairs.AddRange(queries.Select(q => (item.Id, q)));
        }

        await WriteAsync(pairs, Path.Combine(featuresDir, "queries"), text, typed: true, cancellationToken);
        await WriteAsync(heldOut, Path.Combine(featuresDir, HeldOutFile), text, typed: true, cancellationToken);
        return (pairs.Count, items);
    }

    /// <summary>stem.jsonl (id, text) and stem.npy (the query piece's embedding), and with <paramref name="typed"/> stem_typed.npy (the query as typed).</summary>
    private static async Task WriteAsync(List<(string Id, string Query)> pairs, string stem, ITextEncoder text, bool typed, CancellationToken cancellationToken)
    {
        await using var keys = new StreamWriter(stem + ".jsonl");
        using var embeddings = NpyWriter.Float32(stem + ".npy", text.Dimension);
        using var asTyped = typed ? NpyWriter.Float32(stem + "_typed.npy", text.Dimension) : null;
        foreach (var chunk in pairs.Chunk(256))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var vectors = text.Encode(chunk.Select(p => PromptTemplates.QueryText(p.Query)).ToList());
            var typedVectors = asTyped is null ? null : text.Encode(chunk.Select(p => p.Query).ToList());
            for (var i = 0; i < chunk.Length; i++)
            {
                await keys.WriteLineAsync(JsonSerializer.Serialize(new { id = chunk[i].Id, text = chunk[i].Query }, Json).AsMemory(), cancellationToken);
                embeddings.WriteRow(vectors[i]);
                asTyped?.WriteRow(typedVectors![i]);
            }
        }
    }
}

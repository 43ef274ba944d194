using System.Text.Encodings.Web;
using System.Text.Json;
using Urm.Core.Catalog;
using Urm.Core.Features.Text;
using Urm.Offline.FeatureFiles;
using Urm.Core.Prompts;

namespace Urm.Offline.Training;

/// <summary>
/// Writes queries.jsonl + queries.npy into a features directory: the search queries the trainer learns
/// the search task from (<see cref="SearchQueries"/>, <see cref="PerItem"/> per item), each embedded as
/// the query piece serving embeds (<see cref="PromptTemplates.QueryText"/>). Items whose queries are
/// held out for evaluation (<see cref="SearchQueries.IsHeldOut"/>) get none.
/// </summary>
public static class SearchQueryExport
{
    public const int PerItem = 4;

    /// <summary>The seed of training draws; evaluation draws with <see cref="SearchQueries.EvaluationSeed"/>.</summary>
    public const string TrainingSeed = "train";

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

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
        var items = 0;
        // Bad rows were reported when the features were written; here they are only skipped.
        await foreach (var item in CatalogReader.ReadAsync(catalogPath, new ReadReport(), cancellationToken))
        {
            if (!trained.Contains(item.Id) || SearchQueries.IsHeldOut(item.Id)) continue;
            var queries = SearchQueries.For(item, PerItem, TrainingSeed);
            if (queries.Count > 0) items++;
            pairs.AddRange(queries.Select(q => (item.Id, q)));
        }

        await using var keys = new StreamWriter(Path.Combine(featuresDir, "queries.jsonl"));
        using var embeddings = NpyWriter.Float32(Path.Combine(featuresDir, "queries.npy"), text.Dimension);
        foreach (var chunk in pairs.Chunk(256))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var vectors = text.Encode(chunk.Select(p => PromptTemplates.QueryText(p.Query)).ToList());
            for (var i = 0; i < chunk.Length; i++)
            {
                await keys.WriteLineAsync(JsonSerializer.Serialize(new { id = chunk[i].Id, text = chunk[i].Query }, Json).AsMemory(), cancellationToken);
                embeddings.WriteRow(vectors[i]);
            }
        }
        return (pairs.Count, items);
    }
}

using System.Text.Json;
using Urm.Core.Catalog;
using Urm.Core.Events;

namespace Urm.Offline.Import;

/// <summary>
/// Converts an S3-Rec style data set (NAME.txt sequences, NAME_item2attributes.json, NAME.item_text.jsonl)
/// into a catalog and events. Sequences carry no timestamps, so each user's events get increasing ones
/// (one minute apart) that keep the original order. Reviews imply a purchase, so events are purchases.
/// </summary>
public static class S3RecImporter
{
    private static readonly DateTimeOffset Epoch = new(2014, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<ImportSummary> ImportAsync(string sourceDir, string name, string outDir, CancellationToken cancellationToken)
    {
        var sequencesFile = MovieLensImporter.Require(sourceDir, $"{name}.txt");
        var textFile = MovieLensImporter.Require(sourceDir, $"{name}.item_text.jsonl");
        var attributesFile = Path.Combine(sourceDir, $"{name}_item2attributes.json");
        Directory.CreateDirectory(outDir);

        var itemAttributes = new Dictionary<string, List<int>>();
        if (File.Exists(attributesFile))
        {
            await using var stream = File.OpenRead(attributesFile);
            itemAttributes = await JsonSerializer.DeserializeAsync<Dictionary<string, List<int>>>(stream, cancellationToken: cancellationToken) ?? [];
        }

        var catalogPath = Path.Combine(outDir, "catalog.jsonl");
        var items = 0;
        await using (var catalog = new CatalogWriter(File.Create(catalogPath)))
        {
            foreach (var line in File.ReadLines(textFile))
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                using var row = JsonDocument.Parse(line);
                var id = row.RootElement.GetProperty("s3rec_id").GetInt32().ToString();
                var title = row.RootElement.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
                var paths = row.RootElement.TryGetProperty("categories", out var c) && c.ValueKind == JsonValueKind.Array
                    ? c.EnumerateArray().Select(p => string.Join(" > ", p.EnumerateArray().Select(level => level.GetString()))).ToList()
                    : [];
                // The attribute ids are anonymous (brand and category tokens): kept as opaque keys.
                var attributes = itemAttributes.TryGetValue(id, out var ids)
                    ? ids.Distinct().ToDictionary(a => $"attr:{a}", _ => "yes")
                    : [];
                await catalog.WriteAsync(new CatalogItem(
                    Id: id,
                    Title: string.IsNullOrWhiteSpace(title) ? $"Item {id}" : title.Trim(),
                    Description: paths.Count > 1 ? "Also in: " + string.Join("; ", paths.Skip(1)) : null,
                    Category: paths.Count > 0 ? paths[0] : null,
                    Brand: null,
                    Price: null,
                    Attributes: attributes,
                    Image: null,
                    Available: true), cancellationToken);
                items++;
            }
        }

        var eventsPath = Path.Combine(outDir, "events.csv");
        int users = 0, events = 0;
        await using (var writer = new EventWriter(File.Create(eventsPath)))
        {
            foreach (var line in File.ReadLines(sequencesFile))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2) continue;
                users++;
                for (var i = 1; i < fields.Length; i++, events++)
                    await writer.WriteAsync(new UserEvent(fields[0], fields[i], EventType.Purchase, Epoch.AddMinutes(i - 1)), cancellationToken);
            }
        }

        return new ImportSummary(catalogPath, eventsPath, items, users, events);
    }
}

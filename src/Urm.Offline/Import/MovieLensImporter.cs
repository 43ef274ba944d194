using System.Text;
using Urm.Core.Catalog;
using Urm.Core.Events;

namespace Urm.Offline.Import;

/// <summary>
/// Converts MovieLens 100K (u.item, u.genre, u.data) into a catalog and events. Every rating becomes a
/// "view"; each user's events are ordered by time, ties by item id (shared/data/README.md).
/// </summary>
public static class MovieLensImporter
{
    public static async Task<ImportSummary> ImportAsync(string sourceDir, string outDir, CancellationToken cancellationToken)
    {
        var itemsFile = Require(sourceDir, "u.item");
        var genreFile = Require(sourceDir, "u.genre");
        var ratingsFile = Require(sourceDir, "u.data");
        Directory.CreateDirectory(outDir);
        var latin1 = Encoding.Latin1;

        var genres = (await File.ReadAllLinesAsync(genreFile, latin1, cancellationToken))
            .Where(line => line.Contains('|'))
            .Select(line => line.Split('|'))
            .ToDictionary(parts => int.Parse(parts[1]), parts => parts[0]);

        var catalogPath = Path.Combine(outDir, "catalog.jsonl");
        var items = 0;
        await using (var catalog = new CatalogWriter(File.Create(catalogPath)))
        {
            foreach (var line in await File.ReadAllLinesAsync(itemsFile, latin1, cancellationToken))
            {
                var fields = line.Split('|');
                if (fields.Length < 5 + genres.Count) continue;
                var itemGenres = Enumerable.Range(0, genres.Count)
                    .Where(g => fields[5 + g] == "1" && genres[g] != "unknown")
                    .Select(g => genres[g])
                    .ToList();
                var attributes = itemGenres.ToDictionary(g => "genre:" + g, _ => "yes");
                var released = fields[2].Trim();
                if (released.Length >= 4) attributes["year"] = released[^4..];
                var description = itemGenres.Count > 0 ? $"Genres: {string.Join(", ", itemGenres)}." : null;
                if (released.Length > 0) description = $"{description} Released {released}.".Trim();
                await catalog.WriteAsync(new CatalogItem(
                    Id: fields[0].Trim(),
                    Title: fields[1].Trim(),
                    Description: description,
                    Category: itemGenres.Count > 0 ? "Movies > " + itemGenres[0] : "Movies",
                    Brand: null,
                    Price: null,
                    Attributes: attributes,
                    Image: null,
                    Available: true), cancellationToken);
                items++;
            }
        }

        var ratings = new List<(string User, string Item, long Time)>();
        foreach (var line in await File.ReadAllLinesAsync(ratingsFile, cancellationToken))
        {
            var fields = line.Split('\t');
            if (fields.Length < 4) continue;
            ratings.Add((fields[0], fields[1], long.Parse(fields[3])));
        }
        var ordered = ratings
            .OrderBy(r => int.Parse(r.User)).ThenBy(r => r.Time).ThenBy(r => int.Parse(r.Item))
            .ToList();

        var eventsPath = Path.Combine(outDir, "events.csv");
        await using (var events = new EventWriter(File.Create(eventsPath)))
        {
            foreach (var (user, item, time) in ordered)
                await events.WriteAsync(new UserEvent(user, item, EventType.View, DateTimeOffset.FromUnixTimeSeconds(time)), cancellationToken);
        }

        return new ImportSummary(catalogPath, eventsPath, items, ordered.Select(r => r.User).Distinct().Count(), ordered.Count);
    }

    internal static string Require(string dir, string name)
    {
        var path = Path.Combine(dir, name);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{name}' was not found in '{dir}': point the import at the data set's folder.", path);
        return path;
    }
}

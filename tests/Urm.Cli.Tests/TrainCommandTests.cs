using System.Text.Json;
using Urm.Core.Events;

namespace Urm.Cli.Tests;

/// <summary>`urm train --events FOLDER`: the event archive's layout (yyyy/MM/dd/*.jsonl) trains as one file would.</summary>
public class TrainCommandTests
{
    [Fact]
    public async Task Trains_on_an_event_archive_folder()
    {
        var folder = Directory.CreateTempSubdirectory("urm-train").FullName;
        var catalog = Path.Combine(folder, "catalog.jsonl");
        File.WriteAllLines(catalog, Enumerable.Range(0, 24).Select(i => JsonSerializer.Serialize(new { id = $"m{i}", title = $"Film number {i}", category = $"Movies > Genre {i % 4}" })));
        // Ten shoppers' walks, archived as urm serve archives them: one file per batch, in the folder of its day.
        var archive = new FolderEventArchive(Path.Combine(folder, "events"));
        var random = new Random(11);
        var lines = 0;
        for (var u = 0; u < 10; u++)
        {
            var start = random.Next(24);
            var walk = Enumerable.Range(0, random.Next(6, 12))
                .Select(j => new ArchivedEvent($"u{u}", $"m{(start + 2 * j) % 24}", EventType.View, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + u * 1_000 + j * 60), $"e-{u}-{j}", null, null))
                .ToList();
            await archive.AppendAsync(walk, new DateTimeOffset(2026, 12, 1 + u % 3, 12, 0, 0, TimeSpan.Zero), default);
            lines += walk.Count;
        }
        var config = Path.Combine(folder, "tiny.json");
        File.WriteAllText(config, """{"d": 16, "d_card": 16, "content_card": 8, "layers": 1, "heads": 2, "M": 2, "L": 6, "dropout": 0.0, "batch": 32, "epochs": 1, "patience": 1, "threads": 1, "seed": 7}""");
        var model = Path.Combine(folder, "model");

        var train = await CliRun.InvokeAsync("train", "--catalog", catalog, "--events", Path.Combine(folder, "events"), "--out", model, "--config", config, "--no-images", "--threads", "1");

        Assert.True(train.ExitCode == 0, train.Errors + train.Output);
        Assert.Contains($"{lines} events from 10 files", train.Errors);
        Assert.True(File.Exists(Path.Combine(model, "manifest.json")));
        Assert.Equal(lines, File.ReadAllLines(Path.Combine(model, "features", "events.jsonl")).Length);
        var missing = await CliRun.InvokeAsync("train", "--catalog", catalog, "--events", Path.Combine(folder, "nowhere"), "--out", model, "--no-images");
        Assert.NotEqual(0, missing.ExitCode);
        Directory.Delete(folder, recursive: true);
    }
}

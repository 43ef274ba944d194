using System.CommandLine;
using Urm.Cli.Serve;
using Urm.Core.Events;
using Urm.Core.Kpi;

namespace Urm.Cli.Commands;

/// <summary>`urm kpi`: GET /api/kpi's report over `urm serve`'s store file and event archive, as a table.</summary>
public static class KpiCommand
{
    public static Command Create()
    {
        var store = new Option<FileInfo>("--store") { Description = "The SQLite store `urm serve` writes (its recommendations table).", DefaultValueFactory = _ => new FileInfo(ServeSettings.DefaultStore) };
        var eventsDir = new Option<DirectoryInfo?>("--events-dir") { Description = "The event archive `urm serve` writes (default: the folder 'events' beside the store)." };
        var from = new Option<string?>("--from") { Description = "Start of the range, ISO 8601, included (default: 7 days before --to)." };
        var to = new Option<string?>("--to") { Description = "End of the range, ISO 8601, excluded (default: now)." };
        var window = new Option<TimeSpan?>("--window") { Description = "Attribution window after a recommendation (default 1.00:00:00)." };
        var command = new Command("kpi", "Recommendations served, items shown, click-through, add-to-cart and purchase rates per experiment arm, model version and task; during an experiment, each arm's click-through against arm A's with a 95 % interval.")
            { store, eventsDir, from, to, window };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (!KpiQuery.TryParse(parse.GetValue(from), parse.GetValue(to), DateTimeOffset.UtcNow, out var range, out var errors))
                throw new ArgumentException(string.Join(" ", errors.Select(e => $"--{e.Field}: {e.Message}")));
            var path = parse.GetValue(store)!.FullName;
            if (!File.Exists(path)) throw new FileNotFoundException($"No store file at '{path}'; pass --store with the file `urm serve` was started with.", path);
            var settings = new ServeSettings("", path, null, ServeSettings.DefaultUrls, 0);
            if (parse.GetValue(eventsDir) is { } events) settings = settings with { EventsDirectory = events.FullName };
            var log = await SqliteRecommendationLog.OpenAsync(path, cancellationToken);
            var options = parse.GetValue(window) is { } w ? new KpiOptions { AttributionWindow = w } : KpiOptions.Default;
            var report = await new KpiService(log, new FolderEventArchive(settings.EventsDirectory), options).ReportAsync(range.From, range.To, cancellationToken);
            KpiTable.Write(report, Console.Out);
        }));
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
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
            Print(report);
        }));
        return command;
    }

    private static void Print(KpiReport report)
    {
        Console.WriteLine($"Recommendations served {report.From:u} to {report.To:u} (attribution window {report.AttributionWindow.TotalHours:0.##} h)");
        if (report.Rows.Count == 0)
        {
            Console.WriteLine("None.");
            return;
        }
        Table(report.Rows.Select(r => new[]
        {
            r.Arm ?? "-", r.ModelVersion, r.Task, Number(r.Served), Number(r.ItemsShown), Rate(r.Click), Rate(r.Cart), Rate(r.Purchase),
        }).Prepend(["arm", "model", "task", "served", "items shown", "click-through", "add-to-cart", "purchase"]).ToList(), textColumns: 3);
        if (report.Comparisons.Count == 0) return;
        Console.WriteLine();
        Console.WriteLine("Click-through against the control arm (difference with its 95 % interval, Newcombe's hybrid score method):");
        Table(report.Comparisons.Select(c => new[]
        {
            $"{c.Treatment} - {c.Control}", c.Task ?? "all tasks", Clicks(c.TreatmentClicked, c.TreatmentServed), Clicks(c.ControlClicked, c.ControlServed),
            Points(c.Difference), $"[{Points(c.Low)}, {Points(c.High)}]",
        }).Prepend(["arms", "task", "treatment", "control", "difference", "95 % interval"]).ToList(), textColumns: 2);
    }

    /// <summary>Columns padded to their widest cell: the first <paramref name="textColumns"/> left-aligned, figures right-aligned.</summary>
    private static void Table(IReadOnlyList<string[]> rows, int textColumns)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => c < textColumns ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
    }

    private static string Clicks(int clicked, int served) => string.Create(CultureInfo.InvariantCulture, $"{(double)clicked / served:P1} ({clicked}/{served})");

    /// <summary>A difference of rates in percentage points, signed.</summary>
    private static string Points(double difference) => string.Create(CultureInfo.InvariantCulture, $"{difference * 100:+0.0;-0.0;0.0} pp");

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Rate(KpiRate rate) => string.Create(CultureInfo.InvariantCulture, $"{rate.Rate:P1} ({rate.Recommendations})");
}

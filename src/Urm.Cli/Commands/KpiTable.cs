using System.Globalization;
using Urm.Core.Kpi;

namespace Urm.Cli.Commands;

/// <summary>A KPI report as `urm kpi` prints it (and `urm demo` after its loop): a range line, then one aligned row per model version and task.</summary>
public static class KpiTable
{
    /// <param name="indent">Put before every line, so the table can sit under a step of another command's output.</param>
    public static void Write(KpiReport report, TextWriter output, string indent = "")
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{indent}Recommendations served {report.From:u} to {report.To:u} (attribution window {report.AttributionWindow.TotalHours:0.##} h)"));
        if (report.Rows.Count == 0)
        {
            output.WriteLine($"{indent}None.");
            return;
        }
        var rows = report.Rows.Select(r => new[]
        {
            r.ModelVersion, r.Task, Number(r.Served), Number(r.ItemsShown), Rate(r.Click), Rate(r.Cart), Rate(r.Purchase),
        }).Prepend(["model", "task", "served", "items shown", "click-through", "add-to-cart", "purchase"]).ToList();
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            output.WriteLine(indent + string.Join("  ", row.Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Rate(KpiRate rate) => string.Create(CultureInfo.InvariantCulture, $"{rate.Rate:P1} ({rate.Recommendations})");
}

using System.Globalization;
using Urm.Core.Kpi;

namespace Urm.Cli.Commands;

/// <summary>
/// A KPI report as `urm kpi` prints it (and `urm demo` after its loop): a range line, one aligned row per
/// experiment arm, model version and task, and during an experiment each arm's click-through against arm A's.
/// </summary>
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
        Table(report.Rows.Select(r => new[]
        {
            r.Arm ?? "-", r.ModelVersion, r.Task, Number(r.Served), Number(r.ItemsShown), Rate(r.Click), Rate(r.Cart), Rate(r.Purchase),
        }).Prepend(["arm", "model", "task", "served", "items shown", "click-through", "add-to-cart", "purchase"]).ToList(), textColumns: 3, output, indent);
        if (report.Comparisons.Count == 0) return;
        output.WriteLine();
        output.WriteLine($"{indent}Click-through against the control arm (difference with its 95 % interval, Newcombe's hybrid score method):");
        Table(report.Comparisons.Select(c => new[]
        {
            $"{c.Treatment} - {c.Control}", c.Task ?? "all tasks", Clicks(c.TreatmentClicked, c.TreatmentServed), Clicks(c.ControlClicked, c.ControlServed),
            Points(c.Difference), $"[{Points(c.Low)}, {Points(c.High)}]",
        }).Prepend(["arms", "task", "treatment", "control", "difference", "95 % interval"]).ToList(), textColumns: 2, output, indent);
    }

    /// <summary>Columns padded to their widest cell: the first <paramref name="textColumns"/> left-aligned, figures right-aligned.</summary>
    private static void Table(IReadOnlyList<string[]> rows, int textColumns, TextWriter output, string indent)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            output.WriteLine(indent + string.Join("  ", row.Select((cell, c) => c < textColumns ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
    }

    private static string Clicks(int clicked, int served) => string.Create(CultureInfo.InvariantCulture, $"{(double)clicked / served:P1} ({clicked}/{served})");

    /// <summary>A difference of rates in percentage points, signed.</summary>
    private static string Points(double difference) => string.Create(CultureInfo.InvariantCulture, $"{difference * 100:+0.0;-0.0;0.0} pp");

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Rate(KpiRate rate) => string.Create(CultureInfo.InvariantCulture, $"{rate.Rate:P1} ({rate.Recommendations})");
}

using ScottPlot;
using Urm.Offline.Evaluation;

namespace Urm.Cli.Charts;

/// <summary>
/// PNG charts of an evaluation (ScottPlot 5, rendered by SkiaSharp's self-contained Linux build, so no
/// display or system font library is needed): grouped bars, one colour per method.
/// </summary>
public static class EvaluationCharts
{
    private const int Width = 900, Height = 500;

    /// <summary>Writes the charts into <paramref name="directory"/>; returns (file name, caption) per chart.</summary>
    public static IReadOnlyList<(string File, string Caption)> Write(EvaluationResult result, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        var methods = result.Overall.Select(m => m.Method).ToList();
        var charts = new List<(string, string)>();

        var metricGroups = result.Ks.Select(k => $"HR@{k}").Concat(result.Ks.Select(k => $"NDCG@{k}")).ToList();
        double Metric(RankSummary s, int group) => group < result.Ks.Count ? s.HitRate(result.Ks[group]) : s.Ndcg(result.Ks[group - result.Ks.Count]);
        charts.Add(Save(directory, "metrics.png", $"HR@K and NDCG@K, model vs baselines ({result.Task}, {EvaluationReportWriter.SplitName(result.Split)}, {result.Users:N0} users)",
            metricGroups, methods, (g, m) => Metric(result.Of(methods[m]), g)));

        foreach (var dimension in result.Segments.Select(s => s.Dimension).Distinct())
        {
            var segments = result.Segments.Where(s => s.Dimension == dimension).ToList();
            charts.Add(Save(directory, $"hr10-by-{dimension.Replace(' ', '-')}.png", $"HR@10 by {dimension}",
                segments.Select(s => $"{s.Segment} ({s.Users:N0})").ToList(), methods, (g, m) => segments[g].Of(methods[m]).HitRate(10)));
        }
        return charts;
    }

    private static (string File, string Caption) Save(
        string directory, string file, string title, IReadOnlyList<string> groups, IReadOnlyList<string> series, Func<int, int, double> value)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var width = 0.8 / series.Count;
        var bars = new List<Bar>();
        for (var g = 0; g < groups.Count; g++)
            for (var s = 0; s < series.Count; s++)
                bars.Add(new Bar
                {
                    Position = g + (s - (series.Count - 1) / 2.0) * width,
                    Value = value(g, s),
                    Size = width * 0.95,
                    FillColor = palette.GetColor(s),
                });
        plot.Add.Bars(bars);
        for (var s = 0; s < series.Count; s++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s], FillColor = palette.GetColor(s) });
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, groups.Count).Select(g => (double)g).ToArray(), groups.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.HideGrid();
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.SavePng(Path.Combine(directory, file), Width, Height);
        return (file, title);
    }
}

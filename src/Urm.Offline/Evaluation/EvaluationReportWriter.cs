using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Urm.Offline.Evaluation;

/// <summary>An <see cref="EvaluationResult"/> as metrics.json and as report.md (Markdown tables).</summary>
public static class EvaluationReportWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>metrics.json: keys as in the manifest's metrics ("HR@10", "NDCG@10", "users") so the two compare directly.</summary>
    public static string Json(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var methods = new JsonObject();
        foreach (var m in result.Overall) methods[m.Method] = Figures(m.Metrics);
        var segments = new JsonArray();
        foreach (var s in result.Segments)
        {
            var perMethod = new JsonObject();
            foreach (var m in s.Methods) perMethod[m.Method] = Figures(m.Metrics);
            segments.Add(new JsonObject { ["dimension"] = s.Dimension, ["segment"] = s.Segment, ["users"] = s.Users, ["methods"] = perMethod });
        }
        var root = new JsonObject
        {
            ["modelVersion"] = result.ModelVersion,
            ["task"] = result.Task,
            ["instruction"] = result.Instruction,
            ["split"] = SplitName(result.Split),
            ["protocol"] = result.Protocol,
            ["excludeSeen"] = result.ExcludeSeen,
            ["items"] = result.Items,
            ["coldItems"] = result.ColdItems,
            ["newItems"] = result.NewItems,
            ["users"] = result.Users,
            ["tooShortUsers"] = result.TooShortUsers,
            ["unknownItemEvents"] = result.UnknownItemEvents,
            ["methods"] = methods,
            // What "model" adds to the model's score (the manifest's section); null when it adds nothing.
            ["cooccurrence"] = result.CoOccurrence is { } co
                ? new JsonObject { ["weight"] = co.Weight, ["recent"] = co.Recent, ["window"] = co.Window, ["perItem"] = co.PerItem, ["pairs"] = co.Pairs }
                : null,
            // The search text term's and popularity prior's weights (part of "model" and "model-query-alone", not of
            // "model-alone"; the prior's 0 when the package has none); null when none applies.
            ["search"] = result.Search is { } search
                ? new JsonObject
                {
                    ["textWeight"] = search.TextWeight, ["textWeightWithoutHistory"] = search.WeightFor(false), ["textModel"] = search.TextModel,
                    ["popularityWeight"] = search.PopularityWeightFor(true), ["popularityWeightWithoutHistory"] = search.PopularityWeightFor(false),
                }
                : null,
            // The model's repeat term as evaluated (part of "model" and "model-alone"); null when none applies.
            ["repeat"] = result.Repeat is { } repeat
                ? new JsonObject
                {
                    ["tasks"] = new JsonArray(repeat.Tasks.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
                    ["recencyStarts"] = new JsonArray(repeat.RecencyStarts.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray()),
                    ["byEvent"] = new JsonObject(repeat.ByEvent.Select(e => KeyValuePair.Create(e.Key,
                        (JsonNode?)new JsonArray(e.Value.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray())))),
                }
                : null,
            ["segments"] = segments,
            ["trainer"] = result.TrainerMetrics is { } t
                ? new JsonObject { ["HR@5"] = t.Hr5, ["NDCG@5"] = t.Ndcg5, ["HR@10"] = t.Hr10, ["NDCG@10"] = t.Ndcg10, ["users"] = t.Users }
                : null,
            ["seconds"] = Math.Round(result.Seconds, 2),
        };
        return root.ToJsonString(Indented);
    }

    /// <param name="charts">PNG file names (next to report.md) to embed, with their captions.</param>
    public static string Markdown(EvaluationResult result, IReadOnlyList<(string File, string Caption)> charts)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(charts);
        var md = new StringBuilder();
        md.AppendLine(Inv($"# Evaluation of model {result.ModelVersion}: task {result.Task} ({SplitName(result.Split)} split)"));
        md.AppendLine();
        md.AppendLine(Inv($"{result.Users:N0} users, {result.Items:N0} items ({result.ColdItems:N0} without an ID embedding{(result.NewItems > 0 ? $", {result.NewItems:N0} of them new: kept out of training" : "")}); {result.TooShortUsers:N0} users with fewer than {LeaveOneOut.MinEvents} events only train; {result.UnknownItemEvents:N0} events name items outside the catalog and are dropped. {result.Seconds:F1} s."));
        md.AppendLine();
        md.AppendLine("## Protocol");
        md.AppendLine();
        md.AppendLine(result.Protocol);
        md.AppendLine();
        if (result.Repeat is { } repeat)
        {
            md.AppendLine($"The model's score includes its learned repeat term (manifest repeat, tasks {string.Join(", ", repeat.Tasks)}) for items already in the model history, in every model row.");
            md.AppendLine();
        }
        if (result.CoOccurrence is not null)
        {
            md.AppendLine($"{EvaluationResult.ModelMethod}: the served score, the model's score plus the co-occurrence term of the package's {result.CoOccurrence.File} (the trainer's counts); " +
                $"{EvaluationResult.ModelAloneMethod}: the model's score alone, without the co-occurrence term. The co-occurrence baseline below is counted here, from the training part, and ranks by co-occurrence alone.");
            md.AppendLine();
        }
        if (result.Search is { } text)
        {
            md.AppendLine(Inv($"{EvaluationResult.ModelMethod} and {EvaluationResult.ModelQueryAloneMethod}: the served search score, the model's score plus {text.TextWeight:G6} (with a history) or {text.WeightFor(false):G6} (without) × the query–item text cosine (manifest search)") +
                (text.Popularity is { } prior
                    ? Inv($" plus {prior.Weight:G6} (with a history) or {prior.WeightWithoutHistory:G6} (without) × ln(1 + the item's training event count) (the popularity prior, {prior.File}); ")
                    : "; ") +
                $"{EvaluationResult.ModelAloneMethod}: the model's score alone, without the text term{(text.Popularity is null ? "" : " or the prior")}.");
            md.AppendLine();
        }
        md.AppendLine(Inv($"Popularity: items ranked by interaction count in the training part. Co-occurrence: items ranked by how often they occur near the user's newest history items in training sequences (newer items weigh more), ties by popularity. Content: the frozen text encoder alone, nothing learnt: score = sum over the {ContentBaseline.Recent} newest history items h_r (r = 0 newest) of cos(MiniLM text of the item, of h_r) / (r + 1)."));
        md.AppendLine();
        md.AppendLine("## Model and baselines");
        md.AppendLine();
        md.Append(Table(result.Ks, result.Overall.Select(m => (m.Method, m.Metrics))));
        if (result.TrainerMetrics is { } t)
        {
            md.AppendLine();
            var compare = result.CoOccurrence is null ? "" : $" (the served score, with the co-occurrence term: compare with the {EvaluationResult.ModelMethod} row)";
            md.AppendLine(Inv($"The trainer's own next-item figures for this split (manifest){compare}: HR@5 {t.Hr5:F4}, NDCG@5 {t.Ndcg5:F4}, HR@10 {t.Hr10:F4}, NDCG@10 {t.Ndcg10:F4} over {t.Users:N0} users."));
        }
        foreach (var dimension in result.Segments.Select(s => s.Dimension).Distinct())
        {
            md.AppendLine();
            md.AppendLine(Inv($"## Segments by {dimension}"));
            md.AppendLine();
            if (dimension == "target")
            {
                md.AppendLine("cold: the target has no ID embedding; warm: it has one" +
                    (result.NewItems > 0 ? "; new: the target is one of the items kept out of training altogether (the manifest's newItems, a part of cold)." : "."));
                md.AppendLine();
            }
            var methods = result.Overall.Select(m => m.Method).ToList();
            md.AppendLine($"| {dimension} | users | " + string.Join(" | ", methods.SelectMany(m => new[] { $"{m} HR@10", $"{m} NDCG@10" })) + " |");
            md.AppendLine("| --- | --- | " + string.Join(" | ", methods.SelectMany(_ => new[] { "---", "---" })) + " |");
            foreach (var s in result.Segments.Where(s => s.Dimension == dimension))
                md.AppendLine(Inv($"| {s.Segment} | {s.Users:N0} | ") + string.Join(" | ", methods.SelectMany(m => new[] { F(s.Of(m).HitRate(10)), F(s.Of(m).Ndcg(10)) })) + " |");
        }
        if (charts.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Charts");
            foreach (var (file, caption) in charts)
            {
                md.AppendLine();
                md.AppendLine($"![{caption}]({file})");
            }
        }
        return md.ToString();
    }

    /// <summary>A Markdown table: one row per method, HR@K and NDCG@K per K.</summary>
    public static string Table(IReadOnlyList<int> ks, IEnumerable<(string Method, RankSummary Metrics)> rows)
    {
        var md = new StringBuilder();
        md.AppendLine("| method | " + string.Join(" | ", ks.SelectMany(k => new[] { $"HR@{k}", $"NDCG@{k}" })) + " |");
        md.AppendLine("| --- | " + string.Join(" | ", ks.SelectMany(_ => new[] { "---", "---" })) + " |");
        foreach (var (method, metrics) in rows)
            md.AppendLine($"| {method} | " + string.Join(" | ", ks.SelectMany(k => new[] { F(metrics.HitRate(k)), F(metrics.Ndcg(k)) })) + " |");
        return md.ToString();
    }

    public static string SplitName(EvaluationSplit split) => split == EvaluationSplit.Test ? "test" : "validation";

    private static JsonObject Figures(RankSummary metrics)
    {
        var o = new JsonObject();
        foreach (var m in metrics.AtK)
        {
            o[$"HR@{m.K}"] = m.HitRate;
            o[$"NDCG@{m.K}"] = m.Ndcg;
        }
        o["users"] = metrics.Users;
        return o;
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

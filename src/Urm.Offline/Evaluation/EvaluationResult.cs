using Urm.Core.Models.Package;
using Urm.Core.Serving;

namespace Urm.Offline.Evaluation;

/// <summary>What <see cref="OfflineEvaluator"/> measured.</summary>
/// <param name="Items">Items ranked (the whole catalog).</param>
/// <param name="ColdItems">Items without an ID embedding (not in the manifest's idTable).</param>
/// <param name="Users">Users evaluated (one target each).</param>
/// <param name="Overall">Model first (the served score; then <see cref="ModelAloneMethod"/> when the served
/// score adds a co-occurrence term), then the baselines.</param>
/// <param name="TrainerMetrics">The trainer's own figures for this split, from the manifest (next-item only).</param>
public sealed record EvaluationResult(
    string ModelVersion,
    EvaluationSplit Split,
    int Items,
    int ColdItems,
    int Users,
    int TooShortUsers,
    int UnknownItemEvents,
    IReadOnlyList<int> Ks,
    IReadOnlyList<MethodMetrics> Overall,
    IReadOnlyList<SegmentMetrics> Segments,
    SplitMetrics? TrainerMetrics,
    double Seconds)
{
    /// <summary>The served score: the model's (with its repeat term where the manifest lists the task), plus the package's co-occurrence boost where its manifest lists the task.</summary>
    public const string ModelMethod = "model";

    /// <summary>The model's score (with its repeat term, when <see cref="Repeat"/> is set) without the co-occurrence boost; reported only when <see cref="CoOccurrence"/> is set.</summary>
    public const string ModelAloneMethod = "model-alone";

    /// <summary>Search: the model reading the same query with no history (the served search without one).</summary>
    public const string ModelQueryAloneMethod = "model-query-alone";

    /// <summary>Explore: the model read with the next-item prompt, under the same category filter (explore before it was trained).</summary>
    public const string ModelNextItemPromptMethod = "model-next-item-prompt";

    /// <summary>The free text read in place of the task's instruction (<see cref="EvaluationOptions.Instruction"/>); null for the task's own.</summary>
    public string? Instruction { get; init; }

    /// <summary>Whether the user's earlier items were left out of the ranking (<see cref="EvaluationOptions.ExcludeSeen"/>).</summary>
    public bool ExcludeSeen { get; init; }

    /// <summary>The task measured (<see cref="EvaluationTasks"/>).</summary>
    public string Task { get; init; } = RecommendTasks.NextItem;

    /// <summary>Catalog items the manifest lists as new (kept out of training); the "new" segment is there when above 0.</summary>
    public int NewItems { get; init; }

    /// <summary>
    /// The package's co-occurrence section when the served score of <see cref="Task"/> adds its boost
    /// (then <see cref="ModelMethod"/> includes it and <see cref="ModelAloneMethod"/> is reported too); else null.
    /// </summary>
    public CoOccurrenceSection? CoOccurrence { get; init; }

    /// <summary>
    /// The model's repeat term as evaluated, when its section lists <see cref="Task"/> (then both
    /// <see cref="ModelMethod"/> and <see cref="ModelAloneMethod"/> include it: it is part of the model's score); else null.
    /// </summary>
    public RepeatSection? Repeat { get; init; }

    /// <summary>
    /// The package's search section when <see cref="Task"/> is search and its served score adds the text
    /// term and, with <see cref="SearchSection.Popularity"/>, the popularity prior (then <see cref="ModelMethod"/>
    /// and <see cref="ModelQueryAloneMethod"/> include them and <see cref="ModelAloneMethod"/> is the model's
    /// score without them); else null.
    /// </summary>
    public SearchSection? Search { get; init; }

    public RankSummary Of(string method) => Overall.First(m => m.Method == method).Metrics;

    /// <summary>The protocol in words, for reports.</summary>
    public string Protocol =>
        $"Leave-one-out as the trainer splits: each user's events ordered by time (ties keep file order); users with at least {LeaveOneOut.MinEvents} events are evaluated, " +
        $"the target is the {(Split == EvaluationSplit.Test ? "last event (test)" : "second-last event (validation)")}. " +
        TaskProtocol + " " +
        "The popularity and co-occurrence baselines learn from the training part only (all but the last two events of each evaluated user, all events of the others; the content baseline learns nothing)" +
        (NewItems > 0
            ? $"; the events of the {NewItems:N0} items the manifest lists as new (newItems) are dropped from every training part, as the trainer dropped them, so neither the model nor a baseline learnt from them. "
            : ". ") +
        RankingProtocol +
        "rank = number of items scoring strictly higher than the target (ties count in its favour). HR@K = 1 if rank < K; NDCG@K = 1/log2(rank+2) if rank < K; means over users. " +
        "Model scores go through the serving path: cards from fusion.onnx (CardFuser), user vectors from user.onnx (UserEncoder), score = max over the M user vectors of the inner product" +
        RepeatProtocol +
        CoOccurrenceProtocol +
        SearchProtocol;

    private string SearchProtocol => Search is not { } search
        ? ""
        : Inv($" For search the served score adds the model package's text term{(search.Popularity is null ? "" : " and popularity prior")} (manifest search): served(i) = score(i) + w · <q, t_i>") +
          (search.Popularity is null ? "" : " + β · ln(1 + n_i)") +
          Inv($", w = {search.TextWeight:G6} with a history, {search.WeightFor(false):G6} without, ") +
          "q the query's MiniLM vector (the query as typed), t_i the item's text vector as its card keeps it (int8, CardText); " +
          (search.QueryMap is { } map
              ? $"the package has a query map, so q is the typed query mapped by the package's {map.File} (q' = normalize(q A)), learned on the training queries (the text-cosine baselines keep the query as typed); "
              : "") +
          (search.Popularity is { } popularity
              ? Inv($"β = {popularity.Weight:G6} with a history, {popularity.WeightWithoutHistory:G6} without, n_i the item's count of events in the trainer's training part (the package's {popularity.File}; 0 for an item without an ID embedding of its own); ")
              : "") +
          $"methods {ModelMethod} and {ModelQueryAloneMethod} rank by that served score, as RecommendationService answers; {ModelAloneMethod} by the model's score alone, without the text term" +
          (search.Popularity is null ? "." : " or the popularity prior.");

    private string RepeatProtocol => Repeat is not { } repeat
        ? ""
        : Inv($", plus the model's learned repeat term (manifest repeat) for an item in the model history (the newest sizes.L items): by its newest occurrence there, ") +
          Inv($"the term for that event and that recency bucket (recency = items after it, buckets from {string.Join(", ", repeat.RecencyStarts)}); ") +
          "it is part of the model's score, so every model row includes it";

    private string CoOccurrenceProtocol => CoOccurrence is not { } co
        ? "."
        : Inv($"; for this task the served score adds the model package's co-occurrence term (manifest cooccurrence, counted by the trainer in its training sequences, window {co.Window}, at most {co.PerItem} neighbours per item): ") +
          Inv($"served(i) = score(i) + {co.Weight:G6} · ln(1 + sum over the {co.Recent} newest history items h_r (r = 0 newest) of C[h_r][i] / (r + 1)). ") +
          $"Method {ModelMethod} ranks by that served score, as RecommendationService answers; {ModelAloneMethod} ranks by the model's score alone, without the co-occurrence term.";

    private static string Inv(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string TaskProtocol => Task switch
    {
        RecommendTasks.NextPurchase =>
            "Task next-purchase: only users whose target event is a purchase; the history is every event before the target (the model reads the most recent sizes.L); prompt [task:next-purchase].",
        RecommendTasks.Similar =>
            "Task similar: only users whose target differs from their newest history item, the anchor; every method reads the anchor alone, with its event type, as the served similar task does without anchorItemId " +
            "(co-occurrence and content score from it; popularity reads no history); prompt [task:similar].",
        RecommendTasks.Category =>
            "Task category: only users whose target item has a category; the history is every event before the target (the model reads the most recent sizes.L); " +
            "prompt [task:category, category:<the target's category path as the catalog spells it>].",
        RecommendTasks.Search =>
            "Task search: only users whose target item's queries were held out of training (SearchQueries.IsHeldOut: about a tenth of the items, by a hash of the id); " +
            "the query is made from the target's own catalog row (SearchQueries.For, evaluation seed: title words dropped or reordered, category levels, attribute or brand with the leaf category); " +
            $"prompt [task:search, query:<the query>]. Method {ModelMethod} reads the history as well (every event before the target, the most recent sizes.L), {ModelQueryAloneMethod} the query alone; " +
            $"{ContentBaseline.QueryName} ranks by the cosine of the query's MiniLM vector (the query as typed) and the item's text vector, {ContentBaseline.QueryPopularityName} by that cosine to two decimals, then training count.",
        RecommendTasks.Explore =>
            "Task explore: only users whose target item has a category under none of the history's categories (a department the shopper has not visited); " +
            $"the history is every event before the target (the model reads the most recent sizes.L); prompt [task:explore]; {ModelNextItemPromptMethod} is the model with prompt [task:next-item] under the same filter.",
        _ => "Task next-item: the history is every event before the target (the model reads the most recent sizes.L); prompt [task:next-item].",
    } + (Instruction is null ? "" : $" The instruction piece is replaced by the free text \"{Instruction}\", as a request's instruction replaces it.");

    private string RankingProtocol
    {
        get
        {
            var among = Task switch
            {
                RecommendTasks.Category => $"Ranking over the items whose category path is the target's or lies under it (the served category rule: path levels, any case), out of the {Items:N0} catalog items, ",
                RecommendTasks.Explore => $"Ranking over the items whose category lies under none of the history's categories (the served explore rule: path levels, any case; items without a category stay), out of the {Items:N0} catalog items, ",
                _ => $"Full ranking over all {Items:N0} catalog items ",
            };
            var left = Task == RecommendTasks.Similar
                ? "except the anchor, which a similar answer never contains (with exclude-seen as without: the anchor is the seen item), "
                : ExcludeSeen
                    ? "except the user's earlier items (the history, which data/README.md allows leaving out and the published Beauty baselines leave out), "
                    : "nothing excluded (not even items already in the history; the trainer's headline evaluation excludes none either), ";
            return among + left + "for every method alike; ";
        }
    }
}

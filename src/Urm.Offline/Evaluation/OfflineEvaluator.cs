using Urm.Core.Cards;
using System.Diagnostics;
using Urm.Core.Events;
using Urm.Core.Features;
using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;
using Urm.Core.Prompts;
using Urm.Core.Retrieval;
using Urm.Core.Serving;
using Urm.Offline.FeatureFiles;

namespace Urm.Offline.Evaluation;

/// <summary>
/// Offline evaluation of a model package through the serving code path (CardFuser, UserEncoder, the
/// max-inner-product score with the model's repeat term, plus the package's co-occurrence boost, each
/// where its manifest section lists the task),
/// on the trainer's leave-one-out split, next to a popularity, an
/// item-to-item co-occurrence and a content-only (frozen text encoder) baseline under the same protocol
/// (see <see cref="EvaluationResult.Protocol"/>), for one of the trained tasks (<see cref="EvaluationTasks"/>).
/// </summary>
public static class OfflineEvaluator
{
    public const string NewSegment = "new";

    private static readonly IReadOnlyDictionary<int, ScoreAdjustment> NoAdjustments = new Dictionary<int, ScoreAdjustment>();

    /// <param name="items">The catalog's features, the rows every target is ranked among.</param>
    /// <param name="events">The event file, in file order.</param>
    /// <param name="progress">Told the number of users evaluated so far.</param>
    public static Task<EvaluationResult> RunAsync(
        ModelPackage package,
        IReadOnlyList<ItemFeatures> items,
        IAsyncEnumerable<UserEvent> events,
        PromptEncoder prompts,
        EvaluationOptions? options,
        IProgress<int>? progress,
        CancellationToken cancellationToken)
        => RunAsync(package, items, null, events, prompts, options, progress, cancellationToken);

    /// <inheritdoc cref="RunAsync(ModelPackage, IReadOnlyList{ItemFeatures}, IAsyncEnumerable{UserEvent}, PromptEncoder, EvaluationOptions?, IProgress{int}?, CancellationToken)"/>
    /// <param name="categories">Each item's category path as the catalog spells it (null: none), row for
    /// row with <paramref name="items"/> (<see cref="FeatureDirectoryReader.ReadCategories"/>); the category task needs it.</param>
    public static async Task<EvaluationResult> RunAsync(
        ModelPackage package,
        IReadOnlyList<ItemFeatures> items,
        IReadOnlyList<string?>? categories,
        IAsyncEnumerable<UserEvent> events,
        PromptEncoder prompts,
        EvaluationOptions? options,
        IProgress<int>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var list = new List<UserEvent>();
        await foreach (var e in events.WithCancellation(cancellationToken)) list.Add(e);
        return Evaluate(package, items, categories, list, prompts, options, progress, cancellationToken);
    }

    /// <inheritdoc cref="RunAsync(ModelPackage, IReadOnlyList{ItemFeatures}, IAsyncEnumerable{UserEvent}, PromptEncoder, EvaluationOptions?, IProgress{int}?, CancellationToken)"/>
    public static EvaluationResult Evaluate(
        ModelPackage package,
        IReadOnlyList<ItemFeatures> items,
        IReadOnlyList<UserEvent> events,
        PromptEncoder prompts,
        EvaluationOptions? options,
        IProgress<int>? progress,
        CancellationToken cancellationToken)
        => Evaluate(package, items, null, events, prompts, options, progress, cancellationToken);

    /// <inheritdoc cref="RunAsync(ModelPackage, IReadOnlyList{ItemFeatures}, IReadOnlyList{string?}?, IAsyncEnumerable{UserEvent}, PromptEncoder, EvaluationOptions?, IProgress{int}?, CancellationToken)"/>
    public static EvaluationResult Evaluate(
        ModelPackage package,
        IReadOnlyList<ItemFeatures> items,
        IReadOnlyList<string?>? categories,
        IReadOnlyList<UserEvent> events,
        PromptEncoder prompts,
        EvaluationOptions? options,
        IProgress<int>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(prompts);
        options ??= new EvaluationOptions();
        var task = EvaluationTasks.Check(options.Task);
        if (!prompts.IsTrained(task))
            throw new ArgumentException($"Model {package.Version} was not trained on the '{task}' task (its manifest's tasks: {string.Join(", ", package.Manifest.Tasks.Keys)}); there is nothing trained to measure.", nameof(options));
        if (categories is not null && categories.Count != items.Count)
            throw new ArgumentException($"{categories.Count} categories for {items.Count} items: they must be row for row.", nameof(categories));
        var ks = options.Ks ?? RankingMetrics.DefaultKs;
        var clock = Stopwatch.StartNew();

        var cards = new CardFuser(package).FuseMatrix(items, cancellationToken);
        var rowOf = Enumerable.Range(0, cards.Count).ToDictionary(i => cards.Ids[i], StringComparer.Ordinal);
        // New items' events never reached the model's training; the baselines must not learn from them either.
        var newRows = package.Manifest.NewItems.Where(rowOf.ContainsKey).Select(id => rowOf[id]).ToHashSet();
        var split = LeaveOneOut.Split(events, rowOf, newRows);
        var splitCases = split.Cases(options.Split);
        if (splitCases.Count == 0)
            throw new InvalidDataException($"No user has {LeaveOneOut.MinEvents} or more events on catalog items: there is nothing to evaluate ({split.UnknownItemEvents:N0} events name items outside the catalog).");
        if (task == RecommendTasks.Search && options.SearchQueries is { } given && given.Texts.Count != items.Count)
            throw new ArgumentException($"{given.Texts.Count} search queries for {items.Count} items: they must be row for row.", nameof(options));
        var cases = EvaluationTasks.Cases(task, splitCases, categories, options.ExcludeSeen, options.SearchQueries?.Texts);
        if (cases.Count == 0)
            throw new InvalidDataException($"None of the {splitCases.Count:N0} {EvaluationReportWriter.SplitName(options.Split)} targets fits the '{task}' task: there is nothing to evaluate.");

        var parallel = Parallelism(options, cancellationToken);
        var popularity = new PopularityBaseline(split.Training, cards.Count);
        var coOccurrence = new CoOccurrenceBaseline(split.Training, cards.Count, options.CoOccurrenceWindow, options.CoOccurrenceRecent);
        // With a co-occurrence term for this task, "model" is the served score and "model-alone" the
        // model's score without the term, so the report shows what each part brings.
        var coOccurrenceTerm = package.CoOccurrence is { } table && table.AppliesTo(task) ? table : null;
        // The repeat term is part of the model's score, so both "model" and "model-alone" include it.
        var repeatTerm = package.Repeat is { } repeat && repeat.AppliesTo(task) ? repeat : null;
        float[] QueryVector(TaskCase c) => options.SearchQueries!.Vectors[c.Target] ?? throw new ArgumentException($"No query vector for item row {c.Target}.", nameof(options));
        // Search with the model's text term and popularity prior: "model" adds them as serving does, "model-alone" leaves them out.
        var textTerm = task == RecommendTasks.Search && package.Manifest.Search is { } search
            ? new TextTerm(SearchTextTerm.Append(cards, items.Select(i => CardText.Quantize(i.Text)).ToArray(), package.Sizes.TextDim, package.Popularity?.Column(cards)),
                ServedQueries(package.QueryMap, cases, QueryVector), search, package.Popularity)
            : null;
        var (modelRanks, aloneRanks) = ModelRanks(package, coOccurrenceTerm, repeatTerm, textTerm, cards, cases, Prompt(prompts, task, options.Instruction), options, progress, cancellationToken);
        var popularityRanks = new int[cases.Count];
        var coOccurrenceRanks = new int[cases.Count];
        Parallel.For(0, cases.Count, parallel, i =>
        {
            var c = cases[i];
            popularityRanks[i] = popularity.Rank(c.Case, c.Excluded, c.Candidates);
            coOccurrenceRanks[i] = coOccurrence.Rank(c.Case, c.Excluded, c.Candidates);
        });
        var content = new ContentBaseline(items);

        var methods = new List<(string Name, int[] Ranks)> { (EvaluationResult.ModelMethod, modelRanks) };
        if (aloneRanks is not null) methods.Add((EvaluationResult.ModelAloneMethod, aloneRanks));
        if (task == RecommendTasks.Search)
        {
            // The same queries with no history: what the history adds is the difference to "model".
            var queryAlone = cases.Select(c => c with { Case = c.Case with { History = [], Events = [] } }).ToList();
            methods.Add((EvaluationResult.ModelQueryAloneMethod,
                ModelRanks(package, null, null, textTerm, cards, queryAlone, Prompt(prompts, task, options.Instruction), options, null, cancellationToken).Served));
            methods.Add((PopularityBaseline.Name, popularityRanks));
            // The frozen encoder's baselines: the query as typed, never through the package's query map.
            methods.Add((ContentBaseline.QueryName, content.QueryRanks(cases, QueryVector, null, parallel)));
            methods.Add((ContentBaseline.QueryPopularityName, content.QueryRanks(cases, QueryVector, popularity.Counts, parallel)));
        }
        else
        {
            // Explore before it was trained: the next-item prompt with the same category filter.
            if (task == RecommendTasks.Explore)
                methods.Add((EvaluationResult.ModelNextItemPromptMethod,
                    ModelRanks(package, null, null, null, cards, cases, Prompt(prompts, RecommendTasks.NextItem, null), options, null, cancellationToken).Served));
            methods.Add((PopularityBaseline.Name, popularityRanks));
            methods.Add((CoOccurrenceBaseline.Name, coOccurrenceRanks));
            methods.Add((ContentBaseline.Name, content.Ranks(cases, parallel)));
        }
        IReadOnlyList<MethodMetrics> Summaries(IReadOnlyList<int> subset)
            => methods.Select(m => new MethodMetrics(m.Name, RankingMetrics.Summarize(subset.Select(i => m.Ranks[i]).ToList(), ks))).ToList();

        var all = Enumerable.Range(0, cases.Count).ToList();
        var segments = new List<SegmentMetrics>();
        var idTable = package.Manifest.IdTable;
        // Cold = no ID embedding: the card comes from content alone, the case the fusion is there for.
        var cold = all.Where(i => !idTable.ContainsKey(cards.Ids[cases[i].Target])).ToList();
        var warm = all.Except(cold).ToList();
        segments.Add(new SegmentMetrics("target", "cold", cold.Count, Summaries(cold)));
        segments.Add(new SegmentMetrics("target", "warm", warm.Count, Summaries(warm)));
        // New = no training event at all (a subset of cold): the honest cold start, where no method has
        // seen the item, not even as a neighbour in a training sequence.
        if (newRows.Count > 0)
        {
            var fresh = all.Where(i => newRows.Contains(cases[i].Target)).ToList();
            segments.Add(new SegmentMetrics("target", NewSegment, fresh.Count, Summaries(fresh)));
        }
        foreach (var bucket in HistoryLengthBuckets.Labels)
        {
            var members = all.Where(i => HistoryLengthBuckets.Of(cases[i].HistoryLength) == bucket).ToList();
            if (members.Count > 0) segments.Add(new SegmentMetrics("history length", bucket, members.Count, Summaries(members)));
        }

        // The trainer's headline figures are next-item over everything; beside another task or an
        // exclude-seen run they would not compare.
        var trainer = options.ExcludeSeen || task != RecommendTasks.NextItem ? null
            : options.Split == EvaluationSplit.Test ? package.Manifest.Metrics.Test : package.Manifest.Metrics.Validation;
        return new EvaluationResult(
            package.Version, options.Split, cards.Count, cards.Ids.Count(id => !idTable.ContainsKey(id)),
            cases.Count, split.TooShortUsers, split.UnknownItemEvents, ks, Summaries(all), segments, trainer,
            clock.Elapsed.TotalSeconds)
        {
            ExcludeSeen = options.ExcludeSeen, Task = task, NewItems = newRows.Count, CoOccurrence = coOccurrenceTerm?.Section,
            Repeat = repeatTerm?.Section, Instruction = options.Instruction, Search = textTerm is null ? null : package.Manifest.Search,
        };
    }

    /// <summary>
    /// Each case's query vector as the served text term reads it: the query as typed, through the package's
    /// query map when it has one. Mapped once per target, before the parallel scans. The text-cosine
    /// baselines keep reading the vectors as typed: they are the frozen encoder's.
    /// </summary>
    private static Func<TaskCase, float[]> ServedQueries(SearchQueryMap? map, IReadOnlyList<TaskCase> cases, Func<TaskCase, float[]> typed)
    {
        if (map is null) return typed;
        // A case's query is made from its target alone (EvaluationTasks.Cases), so one map per target.
        var mapped = new Dictionary<int, float[]>();
        foreach (var c in cases)
            if (!mapped.ContainsKey(c.Target)) mapped[c.Target] = map.Apply(typed(c));
        return c => mapped[c.Target];
    }

    /// <summary>
    /// The search text term and popularity prior as serving adds them: the cards with their text and, when
    /// <paramref name="Prior"/>, its column (<see cref="PopularityPrior.Column"/>), each case's query as serving
    /// reads it (<see cref="ServedQueries"/>), the weights.
    /// </summary>
    private sealed record TextTerm(CardMatrix Matrix, Func<TaskCase, float[]> Query, SearchSection Section, PopularityPrior? Prior)
    {
        /// <summary>The case's user vectors with w·q and, with a prior, β appended: its served search score's scan.</summary>
        public float[] Append(ReadOnlySpan<float> userVectors, int dimension, TaskCase c)
        {
            var hasHistory = c.Case.History.Count > 0;
            return SearchTextTerm.Append(userVectors, dimension, Query(c), (float)Section.WeightFor(hasHistory),
                Prior?.UserWeight(Section.PopularityWeightFor(hasHistory)));
        }
    }

    /// <summary>
    /// A case's prompt rows, as RecommendationService encodes the task's (one encoding per category or
    /// query), with <paramref name="instruction"/> in place of the task's instruction piece when given.
    /// </summary>
    private static Func<TaskCase, float[]> Prompt(PromptEncoder prompts, string task, string? instruction)
    {
        if (task is not (RecommendTasks.Category or RecommendTasks.Search))
        {
            var prompt = prompts.Encode(task, null, null, instruction);
            return _ => prompt;
        }
        var byInput = new Dictionary<string, float[]>(StringComparer.Ordinal);
        return c =>
        {
            var input = (task == RecommendTasks.Category ? c.Category : c.Query)
                ?? throw new InvalidOperationException($"A {task} case without its {(task == RecommendTasks.Category ? "category" : "query")}.");
            // ModelRanks asks for prompts one batch at a time on one thread, so the cache needs no lock.
            if (!byInput.TryGetValue(input, out var prompt))
                byInput[input] = prompt = task == RecommendTasks.Category
                    ? prompts.Encode(task, input, null, instruction)
                    : prompts.Encode(task, null, input, instruction);
            return prompt;
        };
    }

    /// <summary>
    /// Each case's target rank under the served score (user vectors in batches, then an exact scan of
    /// every card, plus <paramref name="repeat"/>'s term over the model history, <paramref name="coOccurrence"/>'s
    /// boost and <paramref name="text"/>'s term and prior when given) and, when a co-occurrence or text term is given,
    /// under the model's score alone, with its repeat term but without the boost, text or prior (null otherwise:
    /// the two are the same).
    /// </summary>
    private static (int[] Served, int[]? Alone) ModelRanks(
        ModelPackage package, CoOccurrenceTable? coOccurrence, RepeatTerm? repeat, TextTerm? text, CardMatrix cards, IReadOnlyList<TaskCase> cases,
        Func<TaskCase, float[]> prompt, EvaluationOptions options, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var encoder = new UserEncoder(package, options.UserBatch);
        var l = package.Sizes.L;
        var ranks = new int[cases.Count];
        var alone = coOccurrence is null && text is null ? null : new int[cases.Count];
        // Similar lengths per batch mean less padding (as the trainer batches); ranks go back by index.
        var order = Enumerable.Range(0, cases.Count).OrderBy(i => Math.Min(cases[i].Case.History.Count, l)).ToArray();
        var done = 0;
        foreach (var chunk in order.Chunk(options.UserBatch))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var users = chunk.Select(i => Sequence(cases[i].Case, cards, prompt(cases[i]), l)).ToList();
            var vectors = encoder.EncodeBatch(users, cancellationToken);
            Parallel.For(0, chunk.Length, Parallelism(options, cancellationToken), j =>
            {
                var c = cases[chunk[j]];
                var terms = repeat?.TermRows(ModelHistory(c.Case, l));
                ranks[chunk[j]] = TargetRank(cards, vectors[j], c.Target, c.Excluded, c.Candidates, ScoreAdjustment.Combine(terms, null));
                if (alone is null) return;
                alone[chunk[j]] = ranks[chunk[j]];
                var served = ScoreAdjustment.Combine(terms, coOccurrence?.BoostRows(cards, c.Case.History));
                ranks[chunk[j]] = text is null
                    ? TargetRank(cards, vectors[j], c.Target, c.Excluded, c.Candidates, served)
                    : TargetRank(text.Matrix, text.Append(vectors[j], cards.Dimension, c),
                        c.Target, c.Excluded, c.Candidates, served);
            });
            done += chunk.Length;
            progress?.Report(done);
        }
        return (ranks, alone);
    }

    /// <summary>The model history as <see cref="Sequence"/> hands it to the encoder: the newest L items with their events, oldest -> newest.</summary>
    private static List<(int Row, EventType Event)> ModelHistory(EvaluationCase c, int l)
    {
        var skip = Math.Max(0, c.History.Count - l);
        var history = new List<(int, EventType)>(c.History.Count - skip);
        for (var j = skip; j < c.History.Count; j++) history.Add((c.History[j], c.Events[j]));
        return history;
    }

    /// <summary>Only the newest L items are handed over: the encoder would drop the rest anyway.</summary>
    private static UserSequence Sequence(EvaluationCase c, CardMatrix cards, float[] prompt, int l)
    {
        var skip = Math.Max(0, c.History.Count - l);
        var history = new HistoryEntry[c.History.Count - skip];
        for (var j = 0; j < history.Length; j++)
            history[j] = new HistoryEntry(cards.Row(c.History[skip + j]).ToArray(), c.Events[skip + j]);
        return new UserSequence(prompt, history);
    }

    /// <summary>
    /// Items whose score (max over the M user vectors of the inner product, plus the item's boost where
    /// <paramref name="boosts"/> lists one) is strictly above the target's: the exact 0-based rank, ties
    /// in the target's favour, as the trainer's target_ranks; among <paramref name="candidates"/> only
    /// when given (the category task), <paramref name="excluded"/> (distinct rows) not counted.
    /// </summary>
    /// <param name="boosts">Row -> co-occurrence boost, as serving adds it (any sign counts right); null or empty for the model's score alone.</param>
    internal static int TargetRank(
        CardMatrix cards, ReadOnlySpan<float> userVectors, int target, IReadOnlyCollection<int>? excluded = null, bool[]? candidates = null,
        IReadOnlyDictionary<int, float>? boosts = null)
        => TargetRank(cards, userVectors, target, excluded, candidates, ScoreAdjustment.Combine(null, boosts));

    /// <summary>
    /// Items whose served score (max over the M user vectors of the inner product, then the item's
    /// adjustment where <paramref name="adjustments"/> lists one: repeat term, then boost) is strictly above
    /// the target's: the exact 0-based rank, ties in the target's favour, as the trainer's target_ranks;
    /// among <paramref name="candidates"/> only when given (the category task), <paramref name="excluded"/>
    /// (distinct rows) not counted.
    /// </summary>
    /// <param name="adjustments">Row -> repeat term and co-occurrence boost, as serving adds them, of either
    /// sign; null or empty for the model's score alone.</param>
    internal static int TargetRank(
        CardMatrix cards, ReadOnlySpan<float> userVectors, int target, IReadOnlyCollection<int>? excluded, bool[]? candidates,
        IReadOnlyDictionary<int, ScoreAdjustment>? adjustments)
    {
        var d = cards.Dimension;
        var m = userVectors.Length / d;
        adjustments ??= NoAdjustments;
        // Score and CountAbove sum in the serving scan's order (SetRetriever.Score says why), and the
        // adjustment is added as serving adds it (ScoreAdjustment.Apply, float), so this rank is the one
        // the served top k would give the target.
        var threshold = SetRetriever.Score(cards.Row(target), userVectors, m).Score;
        if (adjustments.TryGetValue(target, out var own)) threshold = own.Apply(threshold);
        // The scan counts model scores above the threshold; adjusted rows are then put right one by one:
        // each is taken out of the count on its model score and put back on its served score, so the sign
        // of its adjustment does not matter.
        var rank = candidates is null ? SetRetriever.CountAbove(cards, userVectors, threshold) : SetRetriever.CountAbove(cards, userVectors, threshold, candidates);
        if (excluded is not null)
            foreach (var row in excluded)
                if ((candidates is null || candidates[row]) && !adjustments.ContainsKey(row) && SetRetriever.Score(cards.Row(row), userVectors, m).Score > threshold) rank--;
        foreach (var (row, adjustment) in adjustments)
        {
            if (candidates is not null && !candidates[row]) continue;
            var score = SetRetriever.Score(cards.Row(row), userVectors, m).Score;
            if (score > threshold) rank--; // counted by the scan on its model score
            if (adjustment.Apply(score) > threshold && (excluded is null || !excluded.Contains(row))) rank++;
        }
        return rank;
    }

    private static ParallelOptions Parallelism(EvaluationOptions options, CancellationToken cancellationToken)
        => new() { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken };
}

using System.Diagnostics;
using Urm.Core.Events;
using Urm.Core.Features;
using Urm.Core.Models;
using Urm.Core.Prompts;
using Urm.Core.Retrieval;

namespace Urm.Core.Evaluation;

/// <summary>
/// Offline evaluation of a model package through the serving code path (CardFuser, UserEncoder, the
/// max-inner-product score), on the trainer's leave-one-out split, next to a popularity and an
/// item-to-item co-occurrence baseline under the same protocol (see <see cref="EvaluationResult.Protocol"/>).
/// </summary>
public static class OfflineEvaluator
{
    public const string Task = "next-item";

    /// <param name="items">The catalog's features, the rows every target is ranked among.</param>
    /// <param name="events">The event file, in file order.</param>
    /// <param name="progress">Told the number of users evaluated so far.</param>
    public static async Task<EvaluationResult> RunAsync(
        ModelPackage package,
        IReadOnlyList<ItemFeatures> items,
        IAsyncEnumerable<UserEvent> events,
        PromptEncoder prompts,
        EvaluationOptions? options,
        IProgress<int>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var list = new List<UserEvent>();
        await foreach (var e in events.WithCancellation(cancellationToken)) list.Add(e);
        return Evaluate(package, items, list, prompts, options, progress, cancellationToken);
    }

    /// <inheritdoc cref="RunAsync"/>
    public static EvaluationResult Evaluate(
        ModelPackage package,
        IReadOnlyList<ItemFeatures> items,
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
        var ks = options.Ks ?? RankingMetrics.DefaultKs;
        var clock = Stopwatch.StartNew();

        var cards = new CardFuser(package).FuseMatrix(items, cancellationToken);
        var rowOf = Enumerable.Range(0, cards.Count).ToDictionary(i => cards.Ids[i], StringComparer.Ordinal);
        var split = LeaveOneOut.Split(events, rowOf);
        var cases = split.Cases(options.Split);
        if (cases.Count == 0)
            throw new InvalidDataException($"No user has {LeaveOneOut.MinEvents} or more events on catalog items: there is nothing to evaluate ({split.UnknownItemEvents:N0} events name items outside the catalog).");

        var popularity = new PopularityBaseline(split.Training, cards.Count);
        var coOccurrence = new CoOccurrenceBaseline(split.Training, cards.Count, options.CoOccurrenceWindow, options.CoOccurrenceRecent);
        var modelRanks = ModelRanks(package, cards, cases, prompts, options, progress, cancellationToken);
        var popularityRanks = new int[cases.Count];
        var coOccurrenceRanks = new int[cases.Count];
        Parallel.For(0, cases.Count, Parallelism(options, cancellationToken), i =>
        {
            var excluded = options.ExcludeSeen ? cases[i].Seen() : null;
            popularityRanks[i] = popularity.Rank(cases[i], excluded);
            coOccurrenceRanks[i] = coOccurrence.Rank(cases[i], excluded);
        });

        var methods = new (string Name, int[] Ranks)[]
        {
            (EvaluationResult.ModelMethod, modelRanks),
            (PopularityBaseline.Name, popularityRanks),
            (CoOccurrenceBaseline.Name, coOccurrenceRanks),
        };
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
        foreach (var bucket in HistoryLengthBuckets.Labels)
        {
            var members = all.Where(i => HistoryLengthBuckets.Of(cases[i].History.Count) == bucket).ToList();
            if (members.Count > 0) segments.Add(new SegmentMetrics("history length", bucket, members.Count, Summaries(members)));
        }

        // The trainer's headline figures rank everything; beside an exclude-seen run they would not compare.
        var trainer = options.ExcludeSeen ? null
            : options.Split == EvaluationSplit.Test ? package.Manifest.Metrics.Test : package.Manifest.Metrics.Validation;
        return new EvaluationResult(
            package.Version, options.Split, cards.Count, cards.Ids.Count(id => !idTable.ContainsKey(id)),
            cases.Count, split.TooShortUsers, split.UnknownItemEvents, ks, Summaries(all), segments, trainer,
            clock.Elapsed.TotalSeconds) { ExcludeSeen = options.ExcludeSeen };
    }

    /// <summary>Each case's target rank under the model: user vectors in batches, then an exact scan of every card.</summary>
    private static int[] ModelRanks(
        ModelPackage package, CardMatrix cards, IReadOnlyList<EvaluationCase> cases, PromptEncoder prompts,
        EvaluationOptions options, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var encoder = new UserEncoder(package, options.UserBatch);
        var prompt = prompts.Encode(Task);
        var l = package.Sizes.L;
        var ranks = new int[cases.Count];
        // Similar lengths per batch mean less padding (as the trainer batches); ranks go back by index.
        var order = Enumerable.Range(0, cases.Count).OrderBy(i => Math.Min(cases[i].History.Count, l)).ToArray();
        var done = 0;
        foreach (var chunk in order.Chunk(options.UserBatch))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var users = chunk.Select(i => Sequence(cases[i], cards, prompt, l)).ToList();
            var vectors = encoder.EncodeBatch(users, cancellationToken);
            Parallel.For(0, chunk.Length, Parallelism(options, cancellationToken), j =>
                ranks[chunk[j]] = TargetRank(cards, vectors[j], cases[chunk[j]].Target, options.ExcludeSeen ? cases[chunk[j]].Seen() : null));
            done += chunk.Length;
            progress?.Report(done);
        }
        return ranks;
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
    /// Items whose score (max over the M user vectors of the inner product) is strictly above the
    /// target's: the exact 0-based rank, ties in the target's favour, as the trainer's target_ranks.
    /// </summary>
    internal static int TargetRank(CardMatrix cards, ReadOnlySpan<float> userVectors, int target, IReadOnlyCollection<int>? excluded = null)
    {
        var d = cards.Dimension;
        var m = userVectors.Length / d;
        // Score and CountAbove sum in the serving scan's order (SetRetriever.Score says why), so this
        // rank is the one the served top k would give the target.
        var threshold = SetRetriever.Score(cards.Row(target), userVectors, m).Score;
        var rank = SetRetriever.CountAbove(cards, userVectors, threshold);
        if (excluded is not null)
            foreach (var row in excluded)
                if (SetRetriever.Score(cards.Row(row), userVectors, m).Score > threshold) rank--;
        return rank;
    }

    private static ParallelOptions Parallelism(EvaluationOptions options, CancellationToken cancellationToken)
        => new() { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken };
}

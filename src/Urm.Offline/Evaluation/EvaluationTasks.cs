using Urm.Core.Events;
using Urm.Core.Serving;

namespace Urm.Offline.Evaluation;

/// <summary>
/// The trained tasks offline evaluation measures, each posed as RecommendationService serves it, on the
/// split's cases:
///   next-item      every case; history = every event before the target.
///   next-purchase  the cases whose target event is a purchase; history as next-item.
///   similar        the cases whose target differs from the newest history item (the anchor); every method
///                  reads the anchor alone, and the anchor is never ranked (the served answer never holds it).
///   category       the cases whose target has a category; every method ranks only the items under the
///                  target's category path (CategoryPath.IsUnder, the served category rule).
///   search         the cases whose target's queries were held out of training (SearchQueries.IsHeldOut);
///                  the prompt carries a query made from the target (SearchQueries.For, the evaluation
///                  seed); history as next-item (the evaluator measures the model without it as well).
///   explore        the cases whose target has a category under none of the history's categories; every
///                  method ranks only the items outside the history's categories (the served explore rule).
/// With exclude-seen the history (for similar: the anchor) is left out of every method's ranking.
/// </summary>
public static class EvaluationTasks
{
    public static IReadOnlyList<string> Names { get; } =
        [RecommendTasks.NextItem, RecommendTasks.NextPurchase, RecommendTasks.Similar, RecommendTasks.Category, RecommendTasks.Search, RecommendTasks.Explore];

    /// <exception cref="ArgumentException">Not one of <see cref="Names"/>.</exception>
    public static string Check(string task)
        => Names.Contains(task, StringComparer.Ordinal)
            ? task
            : throw new ArgumentException($"Offline evaluation measures the tasks {string.Join(", ", Names)}, not '{task}'.", nameof(task));

    /// <summary>The split's cases as <paramref name="task"/> poses them (see the type's comment), in split order.</summary>
    /// <param name="categories">Category path per item row (null: none), as the catalog spells it; the category and explore tasks need it.</param>
    /// <param name="queries">The held-out search query per item row (null: none); the search task needs it.</param>
    public static IReadOnlyList<TaskCase> Cases(
        string task, IReadOnlyList<EvaluationCase> cases, IReadOnlyList<string?>? categories, bool excludeSeen, IReadOnlyList<string?>? queries = null)
    {
        ArgumentNullException.ThrowIfNull(cases);
        switch (Check(task))
        {
            case RecommendTasks.NextPurchase:
                return cases.Where(c => c.TargetEvent == EventType.Purchase).Select(c => Plain(c, excludeSeen)).ToList();
            case RecommendTasks.Similar:
                return cases.Where(c => c.History.Count > 0 && c.History[^1] != c.Target).Select(Similar).ToList();
            case RecommendTasks.Category:
                if (categories is null)
                    throw new ArgumentException("The category task needs each item's category (the features directory's items.jsonl).", nameof(categories));
                return CategoryCases(cases, categories, excludeSeen);
            case RecommendTasks.Search:
                if (queries is null)
                    throw new ArgumentException("The search task needs the held-out query of each item (made from the catalog).", nameof(queries));
                return cases.Where(c => c.Target < queries.Count && queries[c.Target] is not null)
                    .Select(c => Plain(c, excludeSeen) with { Query = queries[c.Target] }).ToList();
            case RecommendTasks.Explore:
                if (categories is null)
                    throw new ArgumentException("The explore task needs each item's category (the features directory's items.jsonl).", nameof(categories));
                return ExploreCases(cases, categories, excludeSeen);
            default:
                return cases.Select(c => Plain(c, excludeSeen)).ToList();
        }
    }

    private static TaskCase Plain(EvaluationCase c, bool excludeSeen)
        => new(c, c.History.Count, null, excludeSeen ? c.Seen() : null, null);

    // The anchor is left out whatever exclude-seen says: it is the one item a similar answer never shows.
    private static TaskCase Similar(EvaluationCase c)
        => new(c with { History = [c.History[^1]], Events = [c.Events[^1]] }, c.History.Count, null, [c.History[^1]], null);

    private static List<TaskCase> ExploreCases(IReadOnlyList<EvaluationCase> cases, IReadOnlyList<string?> categories, bool excludeSeen)
    {
        var levels = categories.Select(c => c is null ? [] : CategoryPath.Levels(c)).ToArray();
        // One candidate set per set of history categories, shared by every case with the same set.
        var outside = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        var result = new List<TaskCase>();
        foreach (var c in cases)
        {
            if (c.Target >= categories.Count)
                throw new ArgumentException($"Item row {c.Target} has no category entry ({categories.Count} given).", nameof(categories));
            if (levels[c.Target].Length == 0) continue;
            var seen = c.History.Select(h => categories[h]).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase)
                .Order(StringComparer.OrdinalIgnoreCase).ToArray();
            var deny = seen.Select(CategoryPath.Levels).Where(l => l.Length > 0).ToArray();
            if (deny.Any(d => CategoryPath.IsUnder(levels[c.Target], d))) continue;
            var key = string.Join('\n', seen).ToUpperInvariant();
            if (!outside.TryGetValue(key, out var candidates))
                outside[key] = candidates = levels.Select(l => !deny.Any(d => CategoryPath.IsUnder(l, d))).ToArray();
            result.Add(new TaskCase(c, c.History.Count, null, excludeSeen ? c.Seen() : null, candidates));
        }
        return result;
    }

    private static List<TaskCase> CategoryCases(IReadOnlyList<EvaluationCase> cases, IReadOnlyList<string?> categories, bool excludeSeen)
    {
        var levels = categories.Select(c => c is null ? [] : CategoryPath.Levels(c)).ToArray();
        // One candidate set per category path, shared by every case whose target lies in it.
        var under = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        var result = new List<TaskCase>();
        foreach (var c in cases)
        {
            if (c.Target >= categories.Count)
                throw new ArgumentException($"Item row {c.Target} has no category entry ({categories.Count} given).", nameof(categories));
            if (levels[c.Target].Length == 0) continue;
            var category = categories[c.Target]!;
            if (!under.TryGetValue(category, out var candidates))
                under[category] = candidates = levels.Select(l => CategoryPath.IsUnder(l, levels[c.Target])).ToArray();
            result.Add(new TaskCase(c, c.History.Count, category, excludeSeen ? c.Seen() : null, candidates));
        }
        return result;
    }
}

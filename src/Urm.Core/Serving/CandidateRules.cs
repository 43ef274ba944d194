using Urm.Core.Cards;

namespace Urm.Core.Serving;

/// <summary>
/// A request's business rules over one snapshot, in two kinds: <see cref="Excluded"/> is a set lookup
/// and a flag, cheap enough to run for every card inside the scan; <see cref="Passes"/> (category paths,
/// price band) runs only on what the scan kept, and the caller over-fetches to make up for what it drops.
/// </summary>
internal sealed class CandidateRules
{
    private readonly IReadOnlyList<CardDocument> _documents;
    private readonly string[][] _levels;
    private readonly bool[]? _blocked;
    private readonly HashSet<int> _excludedRows;
    private readonly IReadOnlyList<string[][]> _allowGroups;
    private readonly string[][] _deny;
    private readonly double? _priceMin;
    private readonly double? _priceMax;
    // A row may be checked again when a later scan keeps more; its verdict does not change.
    private readonly Dictionary<int, bool> _verdicts = [];

    /// <param name="allowGroups">Every group must match; within a group, any path (a category task's category and rules.categories are two groups).</param>
    /// <param name="deny">An item under any of these paths is dropped.</param>
    public CandidateRules(
        CardSnapshot snapshot,
        bool availableOnly,
        HashSet<int> excludedRows,
        IReadOnlyList<IReadOnlyList<string>> allowGroups,
        IEnumerable<string> deny,
        double? priceMin,
        double? priceMax)
    {
        _documents = snapshot.Documents;
        _levels = snapshot.CategoryLevels;
        _blocked = availableOnly ? snapshot.Unavailable : null;
        _excludedRows = excludedRows;
        _allowGroups = allowGroups.Where(g => g.Count > 0).Select(g => g.Select(CategoryPath.Levels).ToArray()).ToArray();
        _deny = deny.Select(CategoryPath.Levels).Where(l => l.Length > 0).ToArray();
        _priceMin = priceMin;
        _priceMax = priceMax;
    }

    public bool HasPostFilters => _allowGroups.Count > 0 || _deny.Length > 0 || _priceMin is not null || _priceMax is not null;

    /// <summary>Rows the scan never returns: unavailable (when asked), seen or excluded by id.</summary>
    public bool Excluded(int row) => (_blocked is not null && _blocked[row]) || (_excludedRows.Count > 0 && _excludedRows.Contains(row));

    /// <summary>Whether a retrieved row meets the category and price rules.</summary>
    public bool Passes(int row)
    {
        if (!HasPostFilters) return true;
        if (_verdicts.TryGetValue(row, out var verdict)) return verdict;
        verdict = Check(_documents[row], _levels[row]);
        _verdicts[row] = verdict;
        return verdict;
    }

    private bool Check(CardDocument document, string[] levels)
    {
        // An item without a price cannot be shown to lie in a band, so a band drops it.
        if (_priceMin is { } min && (document.Price is not { } low || low < min)) return false;
        if (_priceMax is { } max && (document.Price is not { } high || high > max)) return false;
        if (_allowGroups.Count == 0 && _deny.Length == 0) return true;
        // Likewise an uncategorised item (no levels) matches no allow list, and no deny list.
        foreach (var group in _allowGroups)
            if (!group.Any(prefix => CategoryPath.IsUnder(levels, prefix))) return false;
        return !_deny.Any(prefix => CategoryPath.IsUnder(levels, prefix));
    }
}

namespace Urm.Core.Tests.Models;

/// <summary>
/// The co-occurrence boost by its definition, item by item, for checking what the code computes:
/// boost(i) = (float)(weight · ln(1 + S(i))), S(i) = Σ_{r &lt; recent} C[h_r][i] / (r + 1), h_0 the newest.
/// </summary>
internal static class CoOccurrenceBoosts
{
    /// <param name="history">Item ids, oldest -> newest.</param>
    /// <returns>Item id -> boost, for every item whose boost is above 0.</returns>
    public static Dictionary<string, float> Of(
        CoOccurrenceFile.Table table, IReadOnlyDictionary<string, int> idTable, double weight, int recent, IReadOnlyList<string> history)
    {
        var boosts = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var (item, index) in idTable)
        {
            var sum = 0.0;
            for (var r = 0; r < recent && r < history.Count; r++)
                if (idTable.TryGetValue(history[history.Count - 1 - r], out var row))
                    sum += table.Count(row, index) / (r + 1);
            var boost = (float)(weight * Math.Log(1.0 + sum));
            if (boost > 0) boosts[item] = boost;
        }
        return boosts;
    }
}

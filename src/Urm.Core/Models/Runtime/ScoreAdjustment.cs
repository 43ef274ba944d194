namespace Urm.Core.Models.Runtime;

/// <summary>
/// What the served score adds to an item's max-inner-product score: the model's repeat term
/// (<see cref="RepeatTerm"/>, any sign, 0 when none), then the co-occurrence boost
/// (<see cref="CoOccurrenceTable"/>, above 0, 0 when none). Kept apart rather than summed, so that the
/// served score is (score + repeat) + boost in float, in that order, everywhere it is computed.
/// </summary>
public readonly record struct ScoreAdjustment(float Repeat, float Boost)
{
    /// <summary>
    /// Whether the served score may fall below the model's max-inner-product score: only a negative repeat
    /// term can lower it (a boost is never negative, and float rounding is monotone).
    /// </summary>
    public bool MayLower => Repeat < 0;

    /// <summary>(score + Repeat) + Boost in float; a part that is 0 is not added, so a row without a repeat term gets exactly score + boost.</summary>
    public float Apply(float score)
    {
        if (Repeat != 0) score += Repeat;
        if (Boost != 0) score += Boost;
        return score;
    }

    /// <summary>
    /// Row -> adjustment over the rows either part lists; null when neither lists any (the model's score is served as is).
    /// </summary>
    public static Dictionary<int, ScoreAdjustment>? Combine(IReadOnlyDictionary<int, float>? repeat, IReadOnlyDictionary<int, float>? boosts)
    {
        if ((repeat is null || repeat.Count == 0) && (boosts is null || boosts.Count == 0)) return null;
        var adjustments = new Dictionary<int, ScoreAdjustment>((repeat?.Count ?? 0) + (boosts?.Count ?? 0));
        if (repeat is not null)
            foreach (var (row, term) in repeat) adjustments[row] = new ScoreAdjustment(term, 0);
        if (boosts is not null)
            foreach (var (row, boost) in boosts)
                adjustments[row] = adjustments.TryGetValue(row, out var a) ? a with { Boost = boost } : new ScoreAdjustment(0, boost);
        return adjustments;
    }
}

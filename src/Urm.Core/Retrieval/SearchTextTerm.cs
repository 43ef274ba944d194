using Urm.Core.Cards;

namespace Urm.Core.Retrieval;

/// <summary>
/// The served search score's text term (<see cref="Models.Package.SearchSection"/>) folded into the scan:
/// each card gets its item's text vector appended and each user vector the query's, times the weight,
/// so that &lt;[u_m ; w·q], [c ; t]&gt; = &lt;u_m, c&gt; + w·&lt;q, t&gt;, and the max over the M user vectors is
/// the model's max plus the text term (the term is the same for every slot). The popularity prior
/// (<see cref="Models.Runtime.PopularityPrior"/>) rides along the same way, one column further:
/// &lt;[u_m ; w·q ; β], [c ; t ; ln(1 + n)]&gt; = &lt;u_m, c&gt; + w·&lt;q, t&gt; + β·ln(1 + n). The exact and compressed
/// scans, the rules and the over-fetch then serve search unchanged, and evaluation ranks the same way.
/// </summary>
public static class SearchTextTerm
{
    /// <summary>
    /// [card ; t] row for row, t the text as the card keeps it (<see cref="CardText"/>), zeros for a card
    /// without text or with text of another length (written by another encoder): such a card scores by the model alone.
    /// With <paramref name="prior"/>, [card ; t ; prior] row for row.
    /// </summary>
    /// <param name="textDimension">Text columns; 0 for none (a prior alone).</param>
    /// <param name="prior">ln(1 + n) per card row (<see cref="Models.Runtime.PopularityPrior.Column"/>); null for no prior column.</param>
    public static CardMatrix Append(CardMatrix cards, IReadOnlyList<sbyte[]?> texts, int textDimension, IReadOnlyList<float>? prior = null)
    {
        ArgumentNullException.ThrowIfNull(cards);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfNegative(textDimension);
        if (texts.Count != cards.Count)
            throw new ArgumentException($"{texts.Count} texts for {cards.Count} cards: they must be row for row.", nameof(texts));
        if (prior is not null && prior.Count != cards.Count)
            throw new ArgumentException($"{prior.Count} prior values for {cards.Count} cards: they must be row for row.", nameof(prior));
        var d = cards.Dimension;
        var width = d + textDimension + (prior is null ? 0 : 1);
        var vectors = new float[cards.Count * width];
        for (var row = 0; row < cards.Count; row++)
        {
            var into = vectors.AsSpan(row * width, width);
            cards.Row(row).CopyTo(into);
            if (textDimension > 0 && texts[row] is { } text && text.Length == textDimension) CardText.Dequantize(text, into.Slice(d, textDimension));
            if (prior is not null) into[^1] = prior[row];
        }
        var lenders = Enumerable.Range(0, cards.Count).Any(r => cards.LenderOf(r) is not null)
            ? Enumerable.Range(0, cards.Count).Select(cards.LenderOf).ToArray()
            : null;
        return new CardMatrix(cards.Ids, vectors, width, lenders);
    }

    /// <summary>
    /// M user vectors of <paramref name="dimension"/> values (row-major) -> each with weight · query appended,
    /// then <paramref name="popularityWeight"/> when given (for a matrix with a prior column).
    /// </summary>
    public static float[] Append(ReadOnlySpan<float> userVectors, int dimension, ReadOnlySpan<float> query, float weight, float? popularityWeight = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (userVectors.Length % dimension != 0)
            throw new ArgumentException($"{userVectors.Length} values are not whole user vectors of {dimension}.", nameof(userVectors));
        var m = userVectors.Length / dimension;
        var width = dimension + query.Length + (popularityWeight is null ? 0 : 1);
        var result = new float[m * width];
        for (var slot = 0; slot < m; slot++)
        {
            userVectors.Slice(slot * dimension, dimension).CopyTo(result.AsSpan(slot * width, dimension));
            var tail = result.AsSpan(slot * width + dimension, query.Length);
            for (var i = 0; i < query.Length; i++) tail[i] = weight * query[i];
            if (popularityWeight is { } beta) result[slot * width + width - 1] = beta;
        }
        return result;
    }
}

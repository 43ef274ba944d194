using Urm.Core.Models.Runtime;
using Urm.Core.Retrieval;

namespace Urm.Core.Cards;

/// <summary>
/// An immutable view of every live (servable) card at one catalog version: the matrix the scan runs over and,
/// row by row, what rules and answers need. Replaced whole when the store's version moves on.
/// </summary>
public sealed record CardSnapshot(CardMatrix Matrix, IReadOnlyList<CardDocument> Documents, long CatalogVersion, string ModelVersion)
{
    // The scan asks "may this row be served?" for every card; a flat array answers it without touching a
    // card document per row (at 100,000 cards those scattered reads cost more than the arithmetic).
    // Retired cards never get here: the index keeps live cards only.

    /// <summary>Row by row: not served when only available items are wanted.</summary>
    public bool[] Unavailable { get; } = Documents.Select(d => !d.Available).ToArray();

    /// <summary>
    /// Row by row: the category path's levels (<see cref="Serving.CategoryPath.Levels"/>; empty when uncategorised),
    /// split once per snapshot rather than once per row a category rule checks.
    /// </summary>
    public string[][] CategoryLevels { get; } = Documents.Select(d => d.Category is null ? [] : Serving.CategoryPath.Levels(d.Category)).ToArray();

    // Built on the first search that adds the text term or the popularity prior, once per snapshot: (d + text + 1)
    // values per card in each of the matrix's copies, which a shop that never searches should not pay for.
    private readonly Lock _searchGate = new();
    private volatile SearchCards? _search;

    /// <summary>
    /// The cards with each item's text vector appended and, with <paramref name="prior"/>, its prior column
    /// (<see cref="PopularityPrior.Column"/>) after that (<see cref="SearchTextTerm"/>): the matrix a search with a text term or a prior scans.
    /// Without a prior, null when no card has a text vector (cards written before cards kept one); with one,
    /// there is always a matrix, with no text columns when no card has text (the prior alone then applies).
    /// </summary>
    public CardMatrix? SearchMatrix(PopularityPrior? prior)
    {
        // Memoised per snapshot: a snapshot is fused by one model (ModelVersion, which the service checks), so
        // one prior asks; another prior (an object other than the first) rebuilds rather than serve its counts.
        if (_search is { } built && ReferenceEquals(built.Prior, prior)) return built.Matrix;
        lock (_searchGate)
        {
            if (_search is { } again && ReferenceEquals(again.Prior, prior)) return again.Matrix;
            var search = new SearchCards(prior, BuildSearchMatrix(Matrix, Documents, prior));
            _search = search;
            return search.Matrix;
        }
    }

    private static CardMatrix? BuildSearchMatrix(CardMatrix matrix, IReadOnlyList<CardDocument> documents, PopularityPrior? prior)
    {
        // The text length most cards have; a card with text of another length scores by the model alone.
        var dimension = documents.Where(d => d.Text is not null).GroupBy(d => d.Text!.Length)
            .OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
        return dimension == 0 && prior is null
            ? null
            : SearchTextTerm.Append(matrix, documents.Select(d => d.Text).ToArray(), dimension, prior?.Column(matrix));
    }

    private sealed record SearchCards(PopularityPrior? Prior, CardMatrix? Matrix);
}

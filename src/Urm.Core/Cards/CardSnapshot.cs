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

    // Built on the first search that adds the text term, once per snapshot: (d + text) values per card in
    // each of the matrix's copies, which a shop that never searches should not pay for.
    private readonly Lazy<CardMatrix?> _searchMatrix = new(() => BuildSearchMatrix(Matrix, Documents));

    /// <summary>
    /// The cards with each item's text vector appended (<see cref="SearchTextTerm"/>), the matrix a search
    /// with a text term scans; null when no card has a text vector (cards written before cards kept one).
    /// </summary>
    public CardMatrix? SearchMatrix => _searchMatrix.Value;

    private static CardMatrix? BuildSearchMatrix(CardMatrix matrix, IReadOnlyList<CardDocument> documents)
    {
        // The text length most cards have; a card with text of another length scores by the model alone.
        var dimension = documents.Where(d => d.Text is not null).GroupBy(d => d.Text!.Length)
            .OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
        return dimension == 0 ? null : SearchTextTerm.Append(matrix, documents.Select(d => d.Text).ToArray(), dimension);
    }
}

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
}

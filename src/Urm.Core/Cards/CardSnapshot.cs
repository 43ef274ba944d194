using Urm.Core.Retrieval;

namespace Urm.Core.Cards;

/// <summary>
/// An immutable view of every servable card at one catalog version: the matrix the scan runs over and,
/// row by row, what rules and answers need. Replaced whole when the store's version moves on.
/// </summary>
public sealed record CardSnapshot(CardMatrix Matrix, IReadOnlyList<CardDocument> Documents, long CatalogVersion, string ModelVersion);

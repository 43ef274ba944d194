namespace Urm.Core.Cards;

/// <summary>
/// One item's card as stored (DESIGN.md, "Card document"): what serving needs to score, filter and
/// explain an item without going back to the catalog.
/// </summary>
public sealed record CardDocument(
    string Id,
    string Title,
    string? KeyPoints,
    string? Category,
    string? Brand,
    double? Price,
    bool Available,
    string ContentHash,
    string ModelVersion,
    float[] Vector,
    DateTimeOffset UpdatedAt,
    bool Retired);

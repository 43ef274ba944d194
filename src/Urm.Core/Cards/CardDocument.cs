namespace Urm.Core.Cards;

/// <summary>
/// One item's card as stored (DESIGN.md, "Card document"): what serving needs to score, filter and
/// explain an item without going back to the catalog.
/// </summary>
/// <param name="Lender">For an item new since the model was trained, the item with an ID embedding whose text
/// is closest (whose ID embedding its card may also borrow, <see cref="Models.Runtime.CardFuser.FuseWithLenders"/>);
/// null for the others. The served
/// co-occurrence term treats the item as its lender.</param>
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
    bool Retired,
    string? Lender = null);

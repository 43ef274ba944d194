namespace Urm.Core.Cards;

/// <summary>
/// One item's card as stored (DESIGN.md, "Card document"): what serving needs to score, filter and
/// explain an item without going back to the catalog.
/// </summary>
/// <param name="Lender">For an item new since the model was trained, the item with an ID embedding whose text
/// is closest (whose ID embedding its card may also borrow, <see cref="Models.Runtime.CardFuser.FuseWithLenders"/>);
/// null for the others. The served
/// co-occurrence term treats the item as its lender.</param>
/// <param name="Text">The item's text vector (MiniLM, unit length) in <see cref="CardText"/>'s int8 form, for the
/// cosine between a search query and the item that the served score adds; null on cards written before cards
/// carried it (serving then adds no text term for that card).</param>
/// <remarks>
/// A record compares <see cref="Vector"/> and <see cref="Text"/> by reference, so two cards read apart are never
/// equal as a whole; compare the arrays' contents apart from the rest.
/// </remarks>
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
    string? Lender = null,
    sbyte[]? Text = null);

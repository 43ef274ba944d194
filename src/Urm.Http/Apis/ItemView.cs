using Urm.Core.Cards;

namespace Urm.Http.Apis;

/// <summary>GET /api/items/{id}: an item's card document as served, without its vector.</summary>
public sealed record ItemView(
    string Id, string Title, string? KeyPoints, string? Category, string? Brand, double? Price, bool Available,
    string ModelVersion, DateTimeOffset UpdatedAt)
{
    public static ItemView From(CardDocument card)
        => new(card.Id, card.Title, card.KeyPoints, card.Category, card.Brand, card.Price, card.Available, card.ModelVersion, card.UpdatedAt);
}

using System.Runtime.InteropServices;
using System.Text.Json.Serialization;
using Urm.Core.Cards;

namespace Urm.Azure.Cosmos;

/// <summary>
/// A card as a Cosmos DB document (DESIGN.md, "Card document"), plus what the store needs: the partition
/// bucket, the item id apart from the document id, and the catalog version the card was written at.
/// </summary>
/// <param name="Vector">
/// Base64 of the vector's float32 bytes, little-endian. Not a JSON array of numbers: a JSON number
/// cannot carry NaN, infinities or negative zero, and base64 is a third of the size; bit-exact either way.
/// </param>
/// <param name="Text">
/// Base64 of the card's <see cref="CardDocument.Text"/> codes, one byte per int8 value (two's complement);
/// left out of the document when the card has none (cards written before cards carried it read back without).
/// </param>
internal sealed record CardItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("pk")] string Pk,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("itemId")] string ItemId,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("keyPoints")] string? KeyPoints,
    [property: JsonPropertyName("category")] string? Category,
    [property: JsonPropertyName("brand")] string? Brand,
    [property: JsonPropertyName("price")] double? Price,
    [property: JsonPropertyName("available")] bool Available,
    [property: JsonPropertyName("contentHash")] string ContentHash,
    [property: JsonPropertyName("modelVersion")] string ModelVersion,
    [property: JsonPropertyName("vector")] string Vector,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("retired")] bool Retired,
    [property: JsonPropertyName("version")] long Version,
    [property: JsonPropertyName("lender")] string? Lender = null,
    [property: JsonPropertyName("text"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text = null)
{
    public const string CardKind = "card";

    public static CardItem From(CardDocument card, long version, string cardSet)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Card vectors are stored as little-endian float32 bytes.");
        return new CardItem(
            CardDocumentIds.For(card.Id), CardPartitions.For(card.Id, cardSet), CardKind, card.Id, card.Title, card.KeyPoints, card.Category,
            card.Brand, card.Price, card.Available, card.ContentHash, card.ModelVersion,
            Convert.ToBase64String(MemoryMarshal.AsBytes(card.Vector.AsSpan())), card.UpdatedAt, card.Retired, version, card.Lender,
            card.Text is null ? null : Convert.ToBase64String(MemoryMarshal.AsBytes(card.Text.AsSpan())));
    }

    /// <exception cref="FormatException">The stored vector is not base64 of whole float32 values, or the text not base64.</exception>
    public CardDocument ToCard()
    {
        var bytes = Convert.FromBase64String(Vector);
        if (bytes.Length % sizeof(float) != 0)
            throw new FormatException($"Card '{ItemId}' in the Cosmos DB card store has a vector of {bytes.Length} bytes, not whole float32 values; re-encode the catalog to rewrite it.");
        return new CardDocument(ItemId, Title, KeyPoints, Category, Brand, Price, Available, ContentHash, ModelVersion,
            MemoryMarshal.Cast<byte, float>(bytes).ToArray(), UpdatedAt, Retired, Lender,
            Text is null ? null : MemoryMarshal.Cast<byte, sbyte>(Convert.FromBase64String(Text)).ToArray());
    }
}

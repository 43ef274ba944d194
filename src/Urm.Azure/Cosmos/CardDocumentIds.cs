using System.Buffers.Text;
using System.Text;
using Urm.Core.Text;

namespace Urm.Azure.Cosmos;

/// <summary>
/// Item id -> Cosmos DB document id. Cosmos refuses '/', '\', '?' and '#' in an id and ids over 1,023
/// bytes, while a catalog id may hold any of them; such ids (and ids starting with '~', so that the
/// mapping stays one-to-one) are stored as <c>~</c> + base64url of their UTF-8 bytes. The item id
/// itself is kept in the document's <c>itemId</c>.
/// </summary>
public static class CardDocumentIds
{
    private const int MaxIdBytes = 1023;

    public static string For(string itemId)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        var bytes = Encoding.UTF8.GetBytes(itemId);
        var plain = itemId.Length > 0 && itemId[0] != '~' && bytes.Length <= MaxIdBytes && itemId.IndexOfAny(['/', '\\', '?', '#']) < 0
            && itemId.Trim().Length == itemId.Length;
        if (plain) return itemId;
        var encoded = "~" + Base64Url.EncodeToString(bytes);
        if (encoded.Length > MaxIdBytes)
            throw new ArgumentException($"Item id '{Quoting.Shorten(itemId, 40)}' is too long for the Cosmos DB card store ({bytes.Length} UTF-8 bytes); keep catalog ids under 760 bytes.", nameof(itemId));
        return encoded;
    }
}

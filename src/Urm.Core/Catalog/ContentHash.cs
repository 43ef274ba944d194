using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Urm.Core.Catalog;

/// <summary>
/// A fingerprint of what the encoders see of an item, so a re-upload re-encodes only items whose content changed.
/// </summary>
/// <remarks>
/// <see cref="CatalogItem.Available"/> is deliberately left out: availability is a rule applied at serving time,
/// and an item going out of stock must not cost a re-encode of its card.
/// Whitespace is normalised (trimmed, runs collapsed) because it changes no encoder input that matters, and
/// attributes are sorted because their order in the source carries no meaning.
/// </remarks>
public static class ContentHash
{
    // Bump when the encoding below, or the text the encoders see of it (ItemText), changes, so that every
    // stored hash and cached feature deliberately stops matching. v2: anonymous flag attributes left out of the text.
    private const string Version = "urm-content-v2";

    public static string Compute(CatalogItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Write(hash, Version);
        Write(hash, item.Id);
        Write(hash, Normalize(item.Title));
        Write(hash, Normalize(item.Description));
        Write(hash, item.Category is null ? null : string.Join('>', item.CategoryPath.Select(Normalize)));
        Write(hash, Normalize(item.Brand));
        Write(hash, item.Price?.ToString("R", CultureInfo.InvariantCulture));
        var attributes = item.Attributes
            .Select(a => (Key: Normalize(a.Key)!, Value: Normalize(a.Value)!))
            .OrderBy(a => a.Key, StringComparer.Ordinal)
            .ThenBy(a => a.Value, StringComparer.Ordinal)
            .ToList();
        Write(hash, attributes.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var (key, value) in attributes)
        {
            Write(hash, key);
            Write(hash, value);
        }

        Write(hash, item.Image?.Trim());
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Length-prefixed, with absence distinct from the empty string, so no two field lists encode alike.</summary>
    private static void Write(IncrementalHash hash, string? value)
    {
        Span<byte> prefix = stackalloc byte[4];
        if (value is null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(prefix, -1);
            hash.AppendData(prefix);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        BinaryPrimitives.WriteInt32LittleEndian(prefix, bytes.Length);
        hash.AppendData(prefix);
        hash.AppendData(bytes);
    }

    private static string? Normalize(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}

using System.Text;
using Urm.Core.Catalog;

namespace Urm.Core.Features.Text;

/// <summary>The text the text encoder sees for an item.</summary>
public static class ItemText
{
    /// <summary>
    /// About four characters per token in English product text, so this is several times the
    /// 256-token window: the tokenizer, not this cap, decides where the text ends. The cap only
    /// keeps huge descriptions from costing tokenisation time.
    /// </summary>
    public const int MaxChars = 4000;

    /// <summary>
    /// Title, brand, category path, attributes, description, most identifying first, so that
    /// truncation drops the least useful text.
    /// </summary>
    public static string Build(CatalogItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var text = new StringBuilder(256);
        Append(text, item.Title);
        if (!string.IsNullOrWhiteSpace(item.Brand)) Append(text, $"Brand: {item.Brand.Trim()}");
        if (item.CategoryPath.Count > 0) Append(text, $"Category: {string.Join(" > ", item.CategoryPath)}");
        if (item.Attributes.Count > 0)
        {
            // Sorted so that the same attributes give the same text whatever order the row had.
            var attributes = item.Attributes
                .Where(a => !string.IsNullOrWhiteSpace(a.Key) && !string.IsNullOrWhiteSpace(a.Value))
                .OrderBy(a => a.Key, StringComparer.Ordinal)
                .Select(a => AttributeText(a.Key.Trim(), a.Value.Trim()))
                .Where(a => a.Length > 0);
            Append(text, string.Join("; ", attributes));
        }
        if (!string.IsNullOrWhiteSpace(item.Description)) Append(text, item.Description);
        return text.Length <= MaxChars ? text.ToString() : text.ToString(0, MaxChars);
    }

    /// <summary>
    /// "key: value", except for flags ("yes"/"true"), which read as the key's name alone
    /// ("genre:Comedy" -> "Comedy"). A flag whose name has no letter ("attr:399") is an anonymous
    /// id: words for nobody, tokens the encoder would spend on noise. It is left out of the text
    /// and still reaches the card as a hashed attribute (AttributeTokens).
    /// </summary>
    internal static string AttributeText(string key, string value)
    {
        if (!value.Equals("yes", StringComparison.OrdinalIgnoreCase) && !value.Equals("true", StringComparison.OrdinalIgnoreCase))
            return $"{key}: {value}";
        var name = key[(key.LastIndexOf(':') + 1)..].Trim();
        return name.Any(char.IsLetter) ? name : "";
    }

    private static void Append(StringBuilder text, string part)
    {
        part = part.Trim();
        if (part.Length == 0) return;
        if (text.Length > 0) text.Append(". ");
        text.Append(part);
    }
}

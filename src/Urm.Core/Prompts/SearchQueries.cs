using System.Text;
using Urm.Core.Catalog;
using Urm.Core.Features;

namespace Urm.Core.Prompts;

/// <summary>
/// Search queries made from the catalog itself: what a shopper who wants an item might type, drawn from
/// its own text. The trainer learns the search task from them, and offline evaluation measures it with
/// them. A share of the items (<see cref="IsHeldOut"/>, by a stable hash of the id) is kept for
/// evaluation: no query from such an item is ever trained on, so a measured query is one the model has
/// never read.
/// </summary>
public static class SearchQueries
{
    /// <summary>The templates a query is drawn from, one per draw.</summary>
    public enum Template
    {
        /// <summary>Title words, some dropped, in their order ("vitamin c serum 30ml").</summary>
        TitleWordsDropped,
        /// <summary>Two to four title words in another order ("serum vitamin").</summary>
        TitleWordsReordered,
        /// <summary>The category path's last one or two levels ("face serums").</summary>
        Category,
        /// <summary>An attribute value and the leaf category ("red lipstick").</summary>
        AttributeAndCategory,
        /// <summary>Brand and leaf category ("nivea moisturizers").</summary>
        BrandAndCategory,
    }

    /// <summary>The seed offline evaluation draws its queries with (training draws with another).</summary>
    public const string EvaluationSeed = "evaluate";

    /// <summary>Share of the catalog whose queries are held out of training (about 10 %).</summary>
    public const int HeldOutPerThousand = 100;

    private static readonly Template[] Templates = Enum.GetValues<Template>();

    /// <summary>Whether an item's queries are kept for evaluation and never trained on.</summary>
    public static bool IsHeldOut(string itemId) => Fnv1a64.Hash("search-holdout:" + itemId) % 1000 < HeldOutPerThousand;

    /// <summary>
    /// Up to <paramref name="count"/> distinct queries for an item, lower case, each from a template drawn
    /// at random (a template the item cannot fill, such as brand without a brand, falls back to title
    /// words). The same item, count and seed always give the same queries.
    /// </summary>
    public static IReadOnlyList<string> For(CatalogItem item, int count, string seed)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(unchecked((int)Fnv1a64.Hash(seed + ":" + item.Id)));
        var queries = new List<string>(count);
        // Short titles give few distinct queries: stop trying after a few draws per wanted query.
        for (var attempt = 0; queries.Count < count && attempt < count * 4; attempt++)
        {
            var query = Draw(item, Templates[random.Next(Templates.Length)], random);
            if (query.Length > 0 && !queries.Contains(query, StringComparer.Ordinal)) queries.Add(query);
        }
        return queries;
    }

    /// <summary>One query from one template; empty when the item has no words at all.</summary>
    public static string Draw(CatalogItem item, Template template, Random random)
    {
        var title = Words(item.Title);
        var levels = item.CategoryPath.Select(Lower).Where(l => l.Length > 0).ToArray();
        var leaf = levels.Length > 0 ? levels[^1] : null;
        switch (template)
        {
            case Template.Category when leaf is not null:
                return levels.Length > 1 && random.Next(2) == 0 ? levels[^2] + " " + leaf : leaf;
            case Template.AttributeAndCategory when leaf is not null && item.Attributes.Count > 0:
            {
                var values = item.Attributes.Values.Select(Lower).Where(Describes).ToArray();
                if (values.Length > 0) return values[random.Next(values.Length)] + " " + leaf;
                break;
            }
            case Template.BrandAndCategory when leaf is not null && !string.IsNullOrWhiteSpace(item.Brand):
                return Lower(item.Brand) + " " + leaf;
            case Template.TitleWordsReordered when title.Length >= 2:
            {
                var picked = title.OrderBy(_ => random.Next()).Take(random.Next(2, Math.Min(4, title.Length) + 1)).ToArray();
                return string.Join(' ', picked);
            }
        }
        return Dropped(title, random);
    }

    /// <summary>Each title word kept with probability 0.6, in order, two to six of them.</summary>
    private static string Dropped(string[] title, Random random)
    {
        if (title.Length <= 2) return string.Join(' ', title);
        var kept = title.Where(_ => random.NextDouble() < 0.6).Take(6).ToList();
        if (kept.Count < 2) kept = title.Take(2).ToList();
        return string.Join(' ', kept);
    }

    // A flag ("yes", "true") or a bare number says nothing a shopper would type beside a category.
    private static bool Describes(string value)
        => value.Length is > 0 and <= 30 && value.Any(char.IsLetter) && value is not ("yes" or "no" or "true" or "false");

    private static string[] Words(string text)
        => Lower(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    // Punctuation becomes a space, as a shopper typing a query leaves it out.
    private static string Lower(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant()) builder.Append(char.IsLetterOrDigit(c) ? c : ' ');
        return string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}

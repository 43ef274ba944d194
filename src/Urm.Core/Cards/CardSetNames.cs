using Urm.Core.Text;

namespace Urm.Core.Cards;

/// <summary>
/// Names of card sets (<see cref="ICardSets"/>): <c>""</c> is the default set, laid out as stores were before
/// there were sets, so data written then is the default set now. Every store checks names here, so a
/// name one store takes every other store takes too.
/// </summary>
public static class CardSetNames
{
    /// <summary>The default set: the store's original tables or partitions.</summary>
    public const string Default = "";

    public const int MaxLength = 100;

    /// <exception cref="ArgumentException">
    /// The name is over <see cref="MaxLength"/> characters, or holds '|' (the Cosmos DB store's separator
    /// between a set and a bucket in a partition key, so "a|b" could not be told from set "a", bucket
    /// "b") or a control character (which would garble the logs and messages that name the set).
    /// </exception>
    public static string Check(string cardSet, string paramName)
    {
        ArgumentNullException.ThrowIfNull(cardSet, paramName);
        if (cardSet.Length > MaxLength)
            throw new ArgumentException($"Card set name '{Printable(Quoting.Shorten(cardSet, 40))}' has {cardSet.Length} characters; at most {MaxLength} are allowed.", paramName);
        for (var i = 0; i < cardSet.Length; i++)
        {
            var c = cardSet[i];
            if (c != '|' && !char.IsControl(c)) continue;
            var what = c == '|' ? "'|'" : $"control character U+{(int)c:X4}";
            throw new ArgumentException($"Card set name '{Printable(cardSet)}' holds {what} at index {i}; name sets after their model version, e.g. 'm-2026-12-01', without '|' or control characters.", paramName);
        }
        return cardSet;
    }

    private static string Printable(string name) => string.Concat(name.Select(c => char.IsControl(c) ? '?' : c));
}

using System.Globalization;
using Urm.Core.Text;

namespace Urm.Core.Events;

/// <summary>
/// An event's timestamp as text, the one way the contract reads it (events files, POST /api/events): ISO 8601
/// (yyyy-MM-dd first; no offset means UTC) or integer Unix seconds.
/// </summary>
public static class EventTimestamps
{
    /// <summary>The time <paramref name="text"/> stands for, or null and a reason (naming <paramref name="field"/>) in <paramref name="problem"/>.</summary>
    public static DateTimeOffset? Parse(string text, string field, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        problem = null;
        if (text.All(char.IsAsciiDigit) || (text.StartsWith('-') && text.Length > 1 && text[1..].All(char.IsAsciiDigit)))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
                && seconds >= DateTimeOffset.MinValue.ToUnixTimeSeconds() && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            problem = $"'{field}' {Quoting.Shorten(text, 40)} is out of range for Unix seconds";
            return null;
        }

        // Only ISO 8601 dates (yyyy-MM-dd first): a locale-style "11/01/2026" is ambiguous, so it is refused.
        var isoShaped = text.Length >= 10 && text[4] == '-' && text[7] == '-'
            && text[..4].All(char.IsAsciiDigit) && text[5..7].All(char.IsAsciiDigit) && text[8..10].All(char.IsAsciiDigit);
        if (isoShaped && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp))
            return timestamp;
        problem = $"'{field}' must be ISO 8601 (like 2026-11-01T10:00:00Z) or integer Unix seconds, not \"{Quoting.Shorten(text, 40)}\"";
        return null;
    }
}

using System.Globalization;
using Urm.Core.Serving;
using Urm.Core.Text;

namespace Urm.Core.Kpi;

/// <summary>
/// The range of a KPI report from its <c>from</c> and <c>to</c> texts (ISO 8601; a time without an offset
/// is UTC), as GET /api/kpi and `urm kpi` take them: by default the last 7 days up to now.
/// </summary>
public static class KpiQuery
{
    public static TimeSpan DefaultRange { get; } = TimeSpan.FromDays(7);

    /// <summary>At most a year per report: the archive is read day by day over the range.</summary>
    public static TimeSpan MaxRange { get; } = TimeSpan.FromDays(366);

    /// <summary>The range [from, to), or the field errors (naming <c>from</c> or <c>to</c>) that say why not.</summary>
    public static bool TryParse(string? from, string? to, DateTimeOffset now, out (DateTimeOffset From, DateTimeOffset To) range, out IReadOnlyList<FieldError> errors)
    {
        var found = new List<FieldError>();
        var end = Parse("to", to, found) ?? now;
        var start = Parse("from", from, found) ?? end - DefaultRange;
        if (found.Count == 0 && start >= end)
            found.Add(new FieldError("from", $"from ({start:O}) must be before to ({end:O})."));
        else if (found.Count == 0 && end - start > MaxRange)
            found.Add(new FieldError("from", $"The range is at most {MaxRange.TotalDays:0} days; from {start:O} to {end:O} is {(end - start).TotalDays:0}."));
        range = (start, end);
        errors = found;
        return found.Count == 0;
    }

    private static DateTimeOffset? Parse(string field, string? text, List<FieldError> errors)
    {
        if (text is null) return null;
        if (DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) && text.Trim().Length >= 10)
            return value.ToUniversalTime();
        errors.Add(new FieldError(field, $"{field} must be an ISO 8601 date or time, e.g. 2026-05-01 or 2026-05-01T12:00:00Z; got '{Quoting.Shorten(text, 40)}'."));
        return null;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Urm.Core.Events;

/// <summary>
/// The archive's file names and lines, the same for every <see cref="IEventArchive"/>: names
/// <c>yyyy/MM/dd/HHmmssfffffff-&lt;12 hex&gt;.jsonl</c> (UTC, so a folder lists in time order), one JSON
/// object per line with the events file columns (docs/FORMATS.md) and the ids that tie it to its source.
/// </summary>
public static class EventArchiveFiles
{
    public const string Extension = ".jsonl";

    /// <summary>A new file's path relative to the archive's root, '/'-separated.</summary>
    public static string NewName(DateTimeOffset received)
    {
        var utc = received.UtcDateTime;
        return utc.ToString("yyyy'/'MM'/'dd'/'HHmmssfffffff", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12] + Extension;
    }

    /// <summary>The file's bytes: one line per event, UTF-8, each ending in '\n'.</summary>
    public static byte[] Write(IReadOnlyList<ArchivedEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        using var buffer = new MemoryStream();
        foreach (var e in events)
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("user_id", e.UserId);
                writer.WriteString("item_id", e.ItemId);
                writer.WriteString("event", e.Type.ToString().ToLowerInvariant());
                writer.WriteString("timestamp", e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                Optional(writer, "event_id", e.EventId);
                Optional(writer, "session_id", e.SessionId);
                Optional(writer, "recommendation_id", e.RecommendationId);
                writer.WriteEndObject();
            }
            buffer.WriteByte((byte)'\n');
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// <paramref name="content"/> without the lines of <paramref name="shoppers"/> (by <c>user_id</c> or
    /// <c>session_id</c>), and how many went; a line that is not an archive line is kept as it is.
    /// </summary>
    public static (byte[] Content, int Removed) Without(byte[] content, IReadOnlySet<string> shoppers)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(shoppers);
        var kept = new StringBuilder();
        var removed = 0;
        foreach (var line in Encoding.UTF8.GetString(content).Split('\n'))
        {
            if (line.Length == 0) continue;
            if (Names(line, shoppers)) removed++;
            else kept.Append(line).Append('\n');
        }
        return (Encoding.UTF8.GetBytes(kept.ToString()), removed);
    }

    /// <summary>The folder of one UTC day's files, relative to the archive's root: <c>yyyy/MM/dd/</c>.</summary>
    public static string DayPrefix(DateOnly day) => day.ToString("yyyy'/'MM'/'dd'/'", CultureInfo.InvariantCulture);

    /// <summary>The events of a file's <paramref name="content"/>; a line that is not an archive line (a hand edit, a cut file) is skipped.</summary>
    public static IEnumerable<ArchivedEvent> Read(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        foreach (var line in Encoding.UTF8.GetString(content).Split('\n'))
            if (line.Length > 0 && Parse(line) is { } e) yield return e;
    }

    private static ArchivedEvent? Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var row = document.RootElement;
            if (row.ValueKind != JsonValueKind.Object) return null;
            var user = Text(row, "user_id");
            var item = Text(row, "item_id");
            if (user is null || item is null || !EventNames.TryParse(Text(row, "event"), out var type)) return null;
            if (!DateTimeOffset.TryParse(Text(row, "timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp)) return null;
            return new ArchivedEvent(user, item, type, timestamp.ToUniversalTime(), Text(row, "event_id"), Text(row, "session_id"), Text(row, "recommendation_id"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement row, string field)
        => row.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Names(string line, IReadOnlySet<string> shoppers)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return Is(document.RootElement, "user_id", shoppers) || Is(document.RootElement, "session_id", shoppers);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Is(JsonElement row, string field, IReadOnlySet<string> shoppers)
        => row.ValueKind == JsonValueKind.Object && row.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && shoppers.Contains(value.GetString()!);

    private static void Optional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null) writer.WriteString(name, value);
    }
}

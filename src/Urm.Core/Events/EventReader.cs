using System.Runtime.CompilerServices;
using Urm.Core.Catalog;
using Urm.Core.Catalog.Rows;
using Urm.Core.Text;

namespace Urm.Core.Events;

/// <summary>
/// Streams shopper events (JSON Lines or CSV) in file order, with the catalog's error policy: each bad row is
/// reported with its line and reason and skipped. Events are not de-duplicated: a repeated view is a signal.
/// </summary>
public static class EventReader
{
    /// <summary>Same cap as catalog ids; a user id is opaque and no longer than an item id needs to be.</summary>
    public const int MaxIdLength = 256;

    private const int MaxLineBytes = 64 * 1024;
    private static readonly string[] RequiredColumns = ["user_id", "item_id", "event", "timestamp"];

    public static IAsyncEnumerable<UserEvent> ReadAsync(string path, ReadReport report, CancellationToken cancellationToken)
    {
        var format = CatalogFormats.FromPath(path);
        return ReadAsync(
            _ => Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1,
                FileOptions.Asynchronous | FileOptions.SequentialScan)),
            format, report, cancellationToken);
    }

    /// <exception cref="InvalidEventsException">
    /// Thrown at the end of the read when no row was usable (nothing has been yielded then), or at the start when
    /// the CSV header lacks a required column.
    /// </exception>
    public static async IAsyncEnumerable<UserEvent> ReadAsync(
        Func<CancellationToken, Task<Stream>> open,
        CatalogFormat format,
        ReadReport report,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(report);

        // Counted here rather than read off the report, which the caller may share across several files.
        var own = new ReadReport(maxDetailedErrors: 5);
        var stream = await open(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var rows = RawRowReader.ReadAsync(
                stream, format, MaxLineBytes, RequiredColumns,
                problem => new InvalidEventsException($"The event file cannot be read: {problem}.", []),
                cancellationToken);
            await foreach (var row in rows.ConfigureAwait(false))
            {
                var error = Parse(row, out var userEvent);
                if (error is not null)
                {
                    own.Add(error);
                    report.Add(error);
                    continue;
                }

                own.Accept();
                report.Accept();
                yield return userEvent!;
            }
        }

        if (own.Accepted == 0)
        {
            throw new InvalidEventsException(own.DescribeNothingUsable("event file"), own.Errors);
        }
    }

    private static RowError? Parse(RawRow row, out UserEvent? userEvent)
    {
        userEvent = null;
        if (row.Problem is not null)
        {
            return new RowError(row.Line, null, row.Problem);
        }

        var problem = Id(row, "item_id", out var itemId);
        if (problem is not null)
        {
            return new RowError(row.Line, null, problem);
        }

        var type = default(EventType);
        var timestamp = default(DateTimeOffset);
        problem = Id(row, "user_id", out var userId)
            ?? Type(row, out type)
            ?? Timestamp(row, out timestamp);
        if (problem is not null)
        {
            return new RowError(row.Line, itemId, problem);
        }

        userEvent = new UserEvent(userId!, itemId!, type, timestamp);
        return null;
    }

    private static string? Id(RawRow row, string field, out string? id) =>
        row[field].GetText(field, acceptNumber: true, out id)
        ?? (id is null ? $"'{field}' is missing or empty" : null)
        ?? (id!.Length > MaxIdLength ? $"'{field}' is {id.Length} characters long; the limit is {MaxIdLength}" : null);

    private static string? Type(RawRow row, out EventType type)
    {
        type = default;
        var problem = row["event"].GetText("event", acceptNumber: false, out var text);
        if (problem is not null)
        {
            return problem;
        }

        return EventNames.TryParse(text, out type)
            ? null
            : text is null
                ? "'event' is missing or empty; use view, click, cart or purchase"
                : $"'event' must be view, click, cart or purchase, not \"{Quoting.Shorten(text, 40)}\"";
    }

    private static string? Timestamp(RawRow row, out DateTimeOffset timestamp)
    {
        timestamp = default;
        var problem = row["timestamp"].GetText("timestamp", acceptNumber: true, out var text);
        if (problem is not null)
        {
            return problem;
        }

        if (text is null)
        {
            return "'timestamp' is missing or empty";
        }

        timestamp = EventTimestamps.Parse(text, "timestamp", out problem) ?? default;
        return problem;
    }
}

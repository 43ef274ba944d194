using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Urm.Core.Text;

namespace Urm.Core.Catalog.Rows;

/// <summary>
/// Streams the rows of a JSON Lines or CSV source one at a time, turning each unreadable row into a
/// <see cref="RawRow.Bad"/> instead of an exception so its neighbours survive.
/// </summary>
internal static class RawRowReader
{
    /// <param name="failFile">Builds the exception for a problem with the file as a whole (header, CSV structure).</param>
    public static IAsyncEnumerable<RawRow> ReadAsync(
        Stream stream,
        CatalogFormat format,
        int maxLineBytes,
        IReadOnlyList<string> requiredColumns,
        Func<string, Exception> failFile,
        CancellationToken cancellationToken) =>
        format switch
        {
            CatalogFormat.JsonLines => ReadJsonLinesAsync(stream, maxLineBytes, cancellationToken),
            CatalogFormat.Csv => ReadCsvAsync(stream, maxLineBytes, requiredColumns, failFile, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown format"),
        };

    /// <summary>System.Text.Json messages name "LineNumber: 0", which misleads when the file line is reported beside it.</summary>
    internal static string JsonMessage(string message) => message.Replace("LineNumber: 0 | ", "", StringComparison.Ordinal).TrimEnd('.');

    private static async IAsyncEnumerable<RawRow> ReadJsonLinesAsync(
        Stream stream, int maxLineBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lines = new Utf8LineReader(stream, maxLineBytes, decode: false);
        while (await lines.ReadAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Problem is not null)
            {
                yield return RawRow.Bad(line.Number, line.Problem);
                continue;
            }

            if (IsBlank(line.Utf8.Span))
            {
                continue;
            }

            var (document, problem) = Parse(line.Utf8);
            if (document is null)
            {
                yield return RawRow.Bad(line.Number, problem!);
                continue;
            }

            using (document)
            {
                yield return RawRow.FromJson(line.Number, document.RootElement);
            }
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept(" \t\r"u8) < 0;

    /// <remarks>The document reads <paramref name="utf8"/> in place, so it must be disposed before the next line is read.</remarks>
    private static (JsonDocument? Document, string? Problem) Parse(ReadOnlyMemory<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException error)
        {
            return (null, $"the line is not valid JSON: {JsonMessage(error.Message)}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = document.RootElement.ValueKind.ToString().ToLowerInvariant();
            document.Dispose();
            return (null, $"each line must be one JSON object {{...}}, this one is a JSON {kind}");
        }

        return (document, null);
    }

    private static async IAsyncEnumerable<RawRow> ReadCsvAsync(
        Stream stream,
        int maxLineBytes,
        IReadOnlyList<string> requiredColumns,
        Func<string, Exception> failFile,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var feed = new CsvLineFeed(new Utf8LineReader(stream, maxLineBytes));
        string? badData = null;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            // Blank lines come through as records so that every physical line is counted for line numbers.
            IgnoreBlankLines = false,
            BadDataFound = args => badData ??= $"the CSV record is malformed near \"{Quoting.Shorten(args.Field, 40)}\" (a stray quote: quote the whole field and double each quote inside it)",
            MaxFieldSize = maxLineBytes,
        };
        using var parser = new CsvParser(feed, configuration);
        IReadOnlyDictionary<string, int>? columns = null;
        long previousEnd = 0;
        while (await NextAsync(parser, previousEnd, failFile).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            long first = previousEnd + 1;
            long last = parser.RawRow;
            previousEnd = last;
            // CsvHelper processes fields lazily, so bad data is only known once the record has been taken.
            var record = parser.Record ?? [];
            var problem = feed.ProblemBetween(first, last) ?? badData;
            badData = null;
            if (problem is null && record.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            if (columns is null)
            {
                columns = Header(record, first, problem, requiredColumns, failFile);
                continue;
            }

            yield return problem is null ? RawRow.FromCsv(first, record, columns) : RawRow.Bad(first, problem);
        }
    }

    private static async Task<bool> NextAsync(CsvParser parser, long previousEnd, Func<string, Exception> failFile)
    {
        try
        {
            return await parser.ReadAsync().ConfigureAwait(false);
        }
        catch (CsvHelperException error)
        {
            // The parser cannot resynchronise after a structural error (e.g. an unclosed quote), so the file stops here.
            throw failFile($"the CSV cannot be parsed after line {previousEnd}: {error.GetType().Name} (an unclosed quote or an oversized field?)");
        }
    }

    private static Dictionary<string, int> Header(
        string[] record, long line, string? problem, IReadOnlyList<string> requiredColumns, Func<string, Exception> failFile)
    {
        if (problem is not null)
        {
            throw failFile($"the CSV header on line {line} is unreadable: {problem}");
        }

        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < record.Length; i++)
        {
            columns.TryAdd(record[i].Trim(), i);
        }

        var missing = requiredColumns.Where(c => !columns.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            throw failFile(
                $"the CSV header on line {line} lacks the column(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}; " +
                $"it has {string.Join(", ", record.Select(r => $"'{Quoting.Shorten(r, 40)}'"))}. The first row must name the columns.");
        }

        return columns;
    }
}

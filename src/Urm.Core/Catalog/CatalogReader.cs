using System.Runtime.CompilerServices;
using Urm.Core.Catalog.Rows;

namespace Urm.Core.Catalog;

/// <summary>
/// Streams a catalog (JSON Lines or CSV) as valid items, reporting each rejected row with its line and reason.
/// </summary>
/// <remarks>
/// A catalog upload is a snapshot in which a later row for an id corrects an earlier one. Honouring that while
/// streaming takes two passes over a re-openable source: the first keeps only id -> line of the last valid
/// occurrence, the second yields the rows on those lines. Memory then grows with the number of distinct ids,
/// never with the size of the rows.
/// </remarks>
public static class CatalogReader
{
    public static IAsyncEnumerable<CatalogItem> ReadAsync(
        Func<CancellationToken, Task<Stream>> open,
        CatalogFormat format,
        ReadReport report,
        CancellationToken cancellationToken) =>
        ReadAsync(open, format, report, CatalogLimits.Default, cancellationToken);

    /// <summary>Reads a local file, its format chosen from the extension (see <see cref="CatalogFormats.FromPath"/>).</summary>
    public static IAsyncEnumerable<CatalogItem> ReadAsync(string path, ReadReport report, CancellationToken cancellationToken) =>
        ReadAsync(path, report, CatalogLimits.Default, cancellationToken);

    public static IAsyncEnumerable<CatalogItem> ReadAsync(
        string path, ReadReport report, CatalogLimits limits, CancellationToken cancellationToken)
    {
        var format = CatalogFormats.FromPath(path);
        return ReadAsync(_ => Task.FromResult<Stream>(OpenFile(path)), format, report, limits, cancellationToken);
    }

    /// <exception cref="InvalidCatalogException">
    /// Thrown before any item is yielded when the catalog is empty, every row is bad, or the CSV header lacks a required column.
    /// </exception>
    public static async IAsyncEnumerable<CatalogItem> ReadAsync(
        Func<CancellationToken, Task<Stream>> open,
        CatalogFormat format,
        ReadReport report,
        CatalogLimits limits,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(limits);

        var firstPass = new ReadReport(report.MaxDetailedErrors);
        var winners = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var (line, item, error) in ParseAsync(open, format, limits, cancellationToken).ConfigureAwait(false))
        {
            if (item is not null)
            {
                winners[item.Id] = line;
                firstPass.Accept();
            }
            else
            {
                firstPass.Add(error!);
            }
        }

        if (winners.Count == 0)
        {
            report.CopyFrom(firstPass);
            throw new InvalidCatalogException(firstPass.DescribeNothingUsable("catalog"), firstPass.Errors);
        }

        await foreach (var (line, item, error) in ParseAsync(open, format, limits, cancellationToken).ConfigureAwait(false))
        {
            if (item is null)
            {
                report.Add(error!);
                continue;
            }

            if (!winners.TryGetValue(item.Id, out var winner))
            {
                report.Add(new RowError(line, item.Id, "the row was not in the catalog when it was first read; the source changed during the read"));
                continue;
            }

            if (winner != line)
            {
                report.Add(new RowError(line, item.Id, $"duplicate id '{item.Id}': line {winner} is used instead"));
                continue;
            }

            report.Accept();
            yield return item;
        }
    }

    private static async IAsyncEnumerable<(long Line, CatalogItem? Item, RowError? Error)> ParseAsync(
        Func<CancellationToken, Task<Stream>> open,
        CatalogFormat format,
        CatalogLimits limits,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = await open(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var rows = RawRowReader.ReadAsync(
                stream, format, limits.MaxLineBytes, CatalogRowParser.RequiredColumns,
                problem => new InvalidCatalogException($"The catalog cannot be read: {problem}.", []),
                cancellationToken);
            await foreach (var row in rows.ConfigureAwait(false))
            {
                var error = CatalogRowParser.Parse(row, limits, out var item);
                yield return (row.Line, item, error);
            }
        }
    }

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
}

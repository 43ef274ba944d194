namespace Urm.Core.Catalog.Rows;

/// <summary>
/// Feeds CsvHelper the text of strictly decoded lines and remembers which physical lines were bad,
/// so a record touching one of them can be rejected without losing the records around it.
/// </summary>
internal sealed class CsvLineFeed : TextReader
{
    private readonly Utf8LineReader lines;
    private readonly Dictionary<long, string> problems = [];
    private string pending = "";
    private int pendingPosition;
    private bool ended;

    public CsvLineFeed(Utf8LineReader lines) => this.lines = lines;

    /// <summary>The first problem on a line in [first, last], forgetting problems before <paramref name="first"/>.</summary>
    public string? ProblemBetween(long first, long last)
    {
        if (problems.Count == 0)
        {
            return null;
        }

        string? found = null;
        foreach (var (line, problem) in problems.OrderBy(p => p.Key).ToList())
        {
            if (line < first)
            {
                problems.Remove(line);
            }
            else if (line <= last && found is null)
            {
                found = $"line {line}: {problem}";
            }
        }

        return found;
    }

    public override int Read(Span<char> buffer) => EnsurePending() ? Copy(buffer) : 0;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read() => EnsurePending() ? pending[pendingPosition++] : -1;

    public override int Peek() => EnsurePending() ? pending[pendingPosition] : -1;

    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
    {
        if (pendingPosition >= pending.Length && !ended)
        {
            Accept(await lines.ReadAsync(cancellationToken).ConfigureAwait(false));
        }

        return pendingPosition < pending.Length ? Copy(buffer.Span) : 0;
    }

    public override Task<int> ReadAsync(char[] buffer, int index, int count) =>
        ReadAsync(buffer.AsMemory(index, count)).AsTask();

    private bool EnsurePending()
    {
        if (pendingPosition < pending.Length)
        {
            return true;
        }

        return !ended && Accept(lines.Read());
    }

    private bool Accept(TextLine? next)
    {
        if (next is not { } line)
        {
            ended = true;
            return false;
        }

        if (line.Problem is not null)
        {
            problems[line.Number] = line.Problem;
        }

        pending = line.Text + "\n";
        pendingPosition = 0;
        return true;
    }

    private int Copy(Span<char> buffer)
    {
        var count = Math.Min(buffer.Length, pending.Length - pendingPosition);
        pending.AsSpan(pendingPosition, count).CopyTo(buffer);
        pendingPosition += count;
        return count;
    }
}

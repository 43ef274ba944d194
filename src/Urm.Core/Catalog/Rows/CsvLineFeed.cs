namespace Urm.Core.Catalog.Rows;

/// <summary>
/// Feeds CsvHelper the text of strictly decoded lines and remembers which physical lines were bad,
/// so a record touching one of them can be rejected without losing the records around it.
/// </summary>
internal sealed class CsvLineFeed : TextReader
{
    private readonly Utf8LineReader _lines;
    private readonly Dictionary<long, string> _problems = [];
    private string _pending = "";
    private int _pendingPosition;
    private bool _ended;

    public CsvLineFeed(Utf8LineReader lines) => _lines = lines;

    /// <summary>The first problem on a line in [first, last], forgetting problems before <paramref name="first"/>.</summary>
    public string? ProblemBetween(long first, long last)
    {
        if (_problems.Count == 0)
        {
            return null;
        }

        string? found = null;
        foreach (var (line, problem) in _problems.OrderBy(p => p.Key).ToList())
        {
            if (line < first)
            {
                _problems.Remove(line);
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

    public override int Read() => EnsurePending() ? _pending[_pendingPosition++] : -1;

    public override int Peek() => EnsurePending() ? _pending[_pendingPosition] : -1;

    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
    {
        if (_pendingPosition >= _pending.Length && !_ended)
        {
            Accept(await _lines.ReadAsync(cancellationToken).ConfigureAwait(false));
        }

        return _pendingPosition < _pending.Length ? Copy(buffer.Span) : 0;
    }

    public override Task<int> ReadAsync(char[] buffer, int index, int count) =>
        ReadAsync(buffer.AsMemory(index, count)).AsTask();

    private bool EnsurePending()
    {
        if (_pendingPosition < _pending.Length)
        {
            return true;
        }

        return !_ended && Accept(_lines.Read());
    }

    private bool Accept(TextLine? next)
    {
        if (next is not { } line)
        {
            _ended = true;
            return false;
        }

        if (line.Problem is not null)
        {
            _problems[line.Number] = line.Problem;
        }

        _pending = line.Text + "\n";
        _pendingPosition = 0;
        return true;
    }

    private int Copy(Span<char> buffer)
    {
        var count = Math.Min(buffer.Length, _pending.Length - _pendingPosition);
        _pending.AsSpan(_pendingPosition, count).CopyTo(buffer);
        _pendingPosition += count;
        return count;
    }
}

namespace Urm.Core.Catalog;

/// <summary>
/// What a read did: exact counts, and the first rejected rows in detail. Shared by catalog and event reads.
/// </summary>
public sealed class ReadReport
{
    public const int DefaultMaxDetailedErrors = 1_000;

    private readonly List<RowError> errors = [];

    public ReadReport(int maxDetailedErrors = DefaultMaxDetailedErrors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDetailedErrors);
        MaxDetailedErrors = maxDetailedErrors;
    }

    /// <summary>Detail stops here so a file of a million bad rows cannot exhaust memory; counts stay exact.</summary>
    public int MaxDetailedErrors { get; }

    public long RowsRead => Accepted + Rejected;
    public long Accepted { get; private set; }
    public long Rejected { get; private set; }
    public IReadOnlyList<RowError> Errors => errors;

    public void Accept() => Accepted++;

    public void Add(RowError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Rejected++;
        if (errors.Count < MaxDetailedErrors)
        {
            errors.Add(error);
        }
    }

    internal void CopyFrom(ReadReport other)
    {
        Accepted += other.Accepted;
        Rejected += other.Rejected;
        foreach (var error in other.errors.Take(MaxDetailedErrors - errors.Count))
        {
            errors.Add(error);
        }
    }

    /// <summary>A message for a read that produced nothing usable, quoting the first few reasons.</summary>
    internal string DescribeNothingUsable(string what)
    {
        if (RowsRead == 0)
        {
            return $"The {what} is empty: it has no rows (an empty file, only blank lines, or a CSV header alone).";
        }

        const int shown = 5;
        var first = string.Join(Environment.NewLine, errors.Take(shown).Select(e => $"  line {e.Line}: {e.Reason}"));
        var more = Rejected > shown ? $"{Environment.NewLine}  ... and {Rejected - shown} more" : "";
        return $"The {what} has no valid rows: all {Rejected} rows were rejected. First errors:{Environment.NewLine}{first}{more}";
    }
}

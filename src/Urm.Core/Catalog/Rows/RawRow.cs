using System.Text.Json;

namespace Urm.Core.Catalog.Rows;

/// <summary>
/// One row before it is given meaning: a JSON object or a CSV record, or the reason it could not be read.
/// Valid only until the reader moves on (the JSON document behind it is disposed then).
/// </summary>
internal readonly struct RawRow
{
    private readonly (string Name, JsonElement Value)[]? _properties;
    private readonly string[]? _cells;
    private readonly IReadOnlyDictionary<string, int>? _columns;

    private RawRow(long line, string? problem, (string, JsonElement)[]? properties, string[]? cells, IReadOnlyDictionary<string, int>? columns)
    {
        Line = line;
        Problem = problem;
        _properties = properties;
        _cells = cells;
        _columns = columns;
    }

    /// <summary>JSONL: the line; CSV: the physical line the record starts on.</summary>
    public long Line { get; }

    public string? Problem { get; }

    public static RawRow Bad(long line, string problem) => new(line, problem, null, null, null);

    /// <summary>Property names are taken once here: each JsonProperty.Name access allocates, and every field is looked up.</summary>
    public static RawRow FromJson(long line, JsonElement obj) =>
        new(line, null, obj.EnumerateObject().Select(p => (p.Name, p.Value)).ToArray(), null, null);

    public static RawRow FromCsv(long line, string[] cells, IReadOnlyDictionary<string, int> columns) =>
        new(line, null, null, cells, columns);

    public Cell this[string name]
    {
        get
        {
            if (_cells is not null && _columns is not null)
            {
                return _columns.TryGetValue(name, out var index) && index < _cells.Length ? Cell.FromText(_cells[index]) : Cell.Absent;
            }

            foreach (var (propertyName, value) in _properties ?? [])
            {
                if (string.Equals(propertyName, name, StringComparison.OrdinalIgnoreCase))
                {
                    return Cell.FromJson(value);
                }
            }

            return Cell.Absent;
        }
    }
}

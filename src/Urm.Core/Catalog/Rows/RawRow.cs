using System.Text.Json;

namespace Urm.Core.Catalog.Rows;

/// <summary>
/// One row before it is given meaning: a JSON object or a CSV record, or the reason it could not be read.
/// Valid only until the reader moves on (the JSON document behind it is disposed then).
/// </summary>
internal readonly struct RawRow
{
    private readonly (string Name, JsonElement Value)[]? properties;
    private readonly string[]? cells;
    private readonly IReadOnlyDictionary<string, int>? columns;

    private RawRow(long line, string? problem, (string, JsonElement)[]? properties, string[]? cells, IReadOnlyDictionary<string, int>? columns)
    {
        Line = line;
        Problem = problem;
        this.properties = properties;
        this.cells = cells;
        this.columns = columns;
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
            if (cells is not null && columns is not null)
            {
                return columns.TryGetValue(name, out var index) && index < cells.Length ? Cell.FromText(cells[index]) : Cell.Absent;
            }

            foreach (var (propertyName, value) in properties ?? [])
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

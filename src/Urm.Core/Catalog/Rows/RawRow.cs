using System.Text.Json;

namespace Urm.Core.Catalog.Rows;

/// <summary>
/// One row before it is given meaning: a JSON object or a CSV record, or the reason it could not be read.
/// Valid only until the reader moves on (the JSON document behind it is disposed then).
/// </summary>
internal readonly struct RawRow
{
    private readonly JsonElement json;
    private readonly string[]? cells;
    private readonly IReadOnlyDictionary<string, int>? columns;

    private RawRow(long line, string? problem, JsonElement json, string[]? cells, IReadOnlyDictionary<string, int>? columns)
    {
        Line = line;
        Problem = problem;
        this.json = json;
        this.cells = cells;
        this.columns = columns;
    }

    /// <summary>JSONL: the line; CSV: the physical line the record starts on.</summary>
    public long Line { get; }

    public string? Problem { get; }

    public static RawRow Bad(long line, string problem) => new(line, problem, default, null, null);

    public static RawRow FromJson(long line, JsonElement obj) => new(line, null, obj, null, null);

    public static RawRow FromCsv(long line, string[] cells, IReadOnlyDictionary<string, int> columns) =>
        new(line, null, default, cells, columns);

    public Cell this[string name]
    {
        get
        {
            if (cells is not null && columns is not null)
            {
                return columns.TryGetValue(name, out var index) && index < cells.Length ? Cell.FromText(cells[index]) : Cell.Absent;
            }

            if (json.ValueKind != JsonValueKind.Object)
            {
                return Cell.Absent;
            }

            foreach (var property in json.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return Cell.FromJson(property.Value);
                }
            }

            return Cell.Absent;
        }
    }
}

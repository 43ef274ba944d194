using System.Globalization;

namespace Urm.Core.Runs;

/// <summary>Run ids and file names: letters, digits, '-', '_' and '.', so they are safe as folder and blob names alike.</summary>
public static class RunNames
{
    public const string Plan = "plan.json";
    public const string Seen = "seen.json";
    public const string Finish = "finish.json";
    public const string ChunkPrefix = "chunk-";
    public const string DonePrefix = "done-";

    /// <summary>A new run id that sorts by its start: <c>yyyyMMddTHHmmssZ-&lt;8 hex&gt;</c>.</summary>
    public static string NewRunId(DateTimeOffset now)
        => now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];

    public static string Chunk(int index) => ChunkPrefix + index.ToString("D5", CultureInfo.InvariantCulture) + ".jsonl";

    public static string Done(int index) => DonePrefix + index.ToString("D5", CultureInfo.InvariantCulture) + ".json";

    /// <exception cref="ArgumentException">Empty, over 100 characters, or another character than those allowed.</exception>
    public static string Check(string name, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (name.Length is 0 or > 100 || name.StartsWith('.') || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new ArgumentException($"'{name}' is not a run or run file name: use 1 to 100 ASCII letters, digits, '-', '_' or '.', not starting with '.'.", paramName);
        return name;
    }
}

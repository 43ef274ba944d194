namespace Urm.Core.Events;

/// <summary>
/// An events folder (the archive's <c>yyyy/MM/dd/*.jsonl</c>, or any tree of JSON Lines event files) as the
/// one file the trainer reads: every <c>.jsonl</c> and <c>.ndjson</c> file below it, in path order
/// (the archive's names sort by time), joined line by line.
/// </summary>
public static class EventFolder
{
    /// <summary>Writes the joined file to <paramref name="output"/>; answers how many files and lines it took.</summary>
    /// <exception cref="InvalidEventsException">The folder holds no events file.</exception>
    public static async Task<(int Files, long Lines)> JoinAsync(string folder, string output, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase))
            .Where(f => Path.GetFullPath(f) != Path.GetFullPath(output))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new InvalidEventsException($"The events folder '{folder}' holds no .jsonl or .ndjson file; pass the archive's root (the folder with the yyyy/ folders) or one events file.", []);
        long lines = 0;
        await using var writer = new StreamWriter(output, append: false, new System.Text.UTF8Encoding(false));
        foreach (var file in files)
        {
            using var reader = new StreamReader(file);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                await writer.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
                lines++;
            }
        }
        return (files.Count, lines);
    }
}

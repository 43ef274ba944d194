using System.Runtime.CompilerServices;

namespace Urm.Core.Events;

/// <summary>
/// The event archive of `urm serve`: files under a folder on disk (<see cref="EventArchiveFiles"/>). A file is
/// written under a temporary name and then renamed, so a reader (urm train) never sees half a file.
/// </summary>
public sealed class FolderEventArchive(string root) : IEventArchive
{
    private const string Partial = ".partial";

    public string Root { get; } = Path.GetFullPath(root);

    public async Task AppendAsync(IReadOnlyList<ArchivedEvent> events, DateTimeOffset received, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0) return;
        var path = Path.Combine(Root, EventArchiveFiles.NewName(received).Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path + Partial, EventArchiveFiles.Write(events), cancellationToken).ConfigureAwait(false);
        File.Move(path + Partial, path);
    }

    public async IAsyncEnumerable<ArchivedEvent> ReadAsync(DateOnly firstDay, DateOnly lastDay, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            var folder = Path.Combine(Root, EventArchiveFiles.DayPrefix(day).TrimEnd('/').Replace('/', Path.DirectorySeparatorChar));
            if (!Directory.Exists(folder)) continue;
            foreach (var path in Directory.EnumerateFiles(folder, "*" + EventArchiveFiles.Extension).Order(StringComparer.Ordinal))
            {
                byte[] content;
                try
                {
                    content = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
                }
                catch (FileNotFoundException)
                {
                    continue;   // an erasure removed it since the listing
                }
                foreach (var e in EventArchiveFiles.Read(content)) yield return e;
            }
        }
    }

    public async Task<int> EraseAsync(IReadOnlySet<string> shoppers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shoppers);
        if (!Directory.Exists(Root) || shoppers.Count == 0) return 0;
        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(Root, "*" + EventArchiveFiles.Extension, SearchOption.AllDirectories))
        {
            var (content, count) = EventArchiveFiles.Without(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), shoppers);
            if (count == 0) continue;
            removed += count;
            if (content.Length == 0)
            {
                File.Delete(path);
                continue;
            }
            await File.WriteAllBytesAsync(path + Partial, content, cancellationToken).ConfigureAwait(false);
            File.Move(path + Partial, path, overwrite: true);
        }
        return removed;
    }
}

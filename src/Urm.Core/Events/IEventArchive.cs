namespace Urm.Core.Events;

/// <summary>
/// Every accepted event, for training: date-partitioned JSON Lines files <c>yyyy/MM/dd/*.jsonl</c> (by the
/// UTC day they were received), one new file per batch, never appended to, so writers on any instance never
/// meet. A folder on disk for `urm serve`, a blob container in Azure; `urm train --events` reads the folder.
/// </summary>
public interface IEventArchive
{
    /// <summary>Writes <paramref name="events"/> as one new file in the folder of <paramref name="received"/>'s day.</summary>
    Task AppendAsync(IReadOnlyList<ArchivedEvent> events, DateTimeOffset received, CancellationToken cancellationToken);

    /// <summary>
    /// Removes every line whose <c>user_id</c> or <c>session_id</c> is one of <paramref name="shoppers"/>
    /// (an erasure request), rewriting the files that held one; answers how many lines were removed.
    /// It reads the whole archive.
    /// </summary>
    Task<int> EraseAsync(IReadOnlySet<string> shoppers, CancellationToken cancellationToken);

    /// <summary>
    /// The events of every file received on the UTC days <paramref name="firstDay"/> to <paramref name="lastDay"/>
    /// (both included), file by file in name order; a line that is not an archive line is skipped.
    /// </summary>
    IAsyncEnumerable<ArchivedEvent> ReadAsync(DateOnly firstDay, DateOnly lastDay, CancellationToken cancellationToken);
}

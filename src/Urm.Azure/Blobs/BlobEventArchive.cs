using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Urm.Core.Events;

namespace Urm.Azure.Blobs;

/// <summary>
/// The event archive in Azure: block blobs <c>yyyy/MM/dd/*.jsonl</c> in the data account's <c>events</c>
/// container (<see cref="EventArchiveFiles"/>), each written once, whole, by one upload that refuses to
/// overwrite. An erasure rewrites a blob only if it is unchanged since it was read (ETag), and removes it
/// when nothing is left. Copy the container down (<c>az storage blob download-batch</c>) for `urm train --events`.
/// </summary>
public sealed class BlobEventArchive(BlobContainerClient container) : IEventArchive
{
    public const string DefaultContainer = "events";

    public async Task AppendAsync(IReadOnlyList<ArchivedEvent> events, DateTimeOffset received, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0) return;
        var blob = container.GetBlobClient(EventArchiveFiles.NewName(received));
        await blob.UploadAsync(BinaryData.FromBytes(EventArchiveFiles.Write(events)),
            new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" } },
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ArchivedEvent> ReadAsync(DateOnly firstDay, DateOnly lastDay, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // No event was ever archived (the container is made with the first upload's deployment, or not at all locally).
        if (!(await container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value) yield break;
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            // A listing by the day's prefix comes in name order, which is time order (EventArchiveFiles.NewName).
            await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, EventArchiveFiles.DayPrefix(day), cancellationToken).ConfigureAwait(false))
            {
                if (!item.Name.EndsWith(EventArchiveFiles.Extension, StringComparison.Ordinal)) continue;
                BinaryData content;
                try
                {
                    content = (await container.GetBlobClient(item.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    continue;   // an erasure removed it since the listing
                }
                foreach (var e in EventArchiveFiles.Read(content.ToArray())) yield return e;
            }
        }
    }

    public async Task<int> EraseAsync(IReadOnlySet<string> shoppers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shoppers);
        if (shoppers.Count == 0) return 0;
        var removed = 0;
        await foreach (var item in container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!item.Name.EndsWith(EventArchiveFiles.Extension, StringComparison.Ordinal)) continue;
            var blob = container.GetBlobClient(item.Name);
            var download = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            var (content, count) = EventArchiveFiles.Without(download.Content.ToArray(), shoppers);
            if (count == 0) continue;
            var unchanged = new BlobRequestConditions { IfMatch = download.Details.ETag };
            if (content.Length == 0)
                await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, unchanged, cancellationToken).ConfigureAwait(false);
            else
                await blob.UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions { Conditions = unchanged }, cancellationToken).ConfigureAwait(false);
            removed += count;
        }
        return removed;
    }
}

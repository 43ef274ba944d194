using Urm.Azure.Blobs;
using Urm.Azure.Tests.Servers;
using Urm.Core.Events;

namespace Urm.Azure.Tests.Blobs;

/// <summary>The event archive as blobs on Azurite: one blob per batch under its day, erasure rewriting or removing blobs.</summary>
public sealed class BlobEventArchiveTests
{
    private static readonly DateTimeOffset Received = new(2026, 12, 3, 14, 5, 6, TimeSpan.Zero);

    private static ArchivedEvent Event(string user, string item, string? session = null)
        => new(user, item, EventType.Click, Received, null, session, null);

    [Fact]
    public async Task Batches_are_blobs_under_their_day_and_erasure_takes_out_only_the_shoppers_lines()
    {
        var container = await AzuriteBlobs.NewContainerAsync(AzuriteBlobs.Client(), "events");
        var archive = new BlobEventArchive(container);

        await archive.AppendAsync([Event("u-1", "sku-1"), Event("u-2", "sku-2")], Received, default);
        await archive.AppendAsync([Event("s-1", "sku-3", session: "s-1")], Received.AddDays(1), default);
        await archive.AppendAsync([], Received, default);

        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync()) names.Add(blob.Name);
        Assert.Equal(2, names.Count);
        Assert.StartsWith("2026/12/03/140506", names[0]);
        Assert.StartsWith("2026/12/04/140506", names[1]);

        Assert.Equal(2, await archive.EraseAsync(new HashSet<string> { "u-1", "s-1" }, default));

        names.Clear();
        await foreach (var blob in container.GetBlobsAsync()) names.Add(blob.Name);
        var left = Assert.Single(names);
        var text = (await container.GetBlobClient(left).DownloadContentAsync()).Value.Content.ToString();
        Assert.Equal("""{"user_id":"u-2","item_id":"sku-2","event":"click","timestamp":"2026-12-03T14:05:06.0000000Z"}""" + "\n", text);
        await container.DeleteAsync();
    }

    [Fact]
    public async Task A_read_by_days_gives_back_the_events_of_those_days_with_every_field()
    {
        var container = await AzuriteBlobs.NewContainerAsync(AzuriteBlobs.Client(), "events");
        var archive = new BlobEventArchive(container);
        var click = new ArchivedEvent("u-1", "sku-1", EventType.Cart, Received, "e-1", "s-1", "r-0123456789abcdef");
        await archive.AppendAsync([click], Received, default);
        await archive.AppendAsync([Event("u-2", "sku-2")], Received.AddDays(1), default);
        await archive.AppendAsync([Event("u-3", "sku-3")], Received.AddDays(2), default);

        var read = new List<ArchivedEvent>();
        await foreach (var e in archive.ReadAsync(DateOnly.FromDateTime(Received.UtcDateTime), DateOnly.FromDateTime(Received.UtcDateTime.AddDays(1)), default)) read.Add(e);

        Assert.Equal([click, Event("u-2", "sku-2")], read);
        await container.DeleteAsync();
        // No container (nothing ever archived) reads as no events.
        await foreach (var _ in archive.ReadAsync(DateOnly.MinValue, DateOnly.MinValue.AddDays(1), default)) Assert.Fail("an event from a deleted container");
    }
}

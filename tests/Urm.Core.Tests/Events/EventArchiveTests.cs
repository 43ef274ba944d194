using Urm.Core.Catalog;
using Urm.Core.Events;

namespace Urm.Core.Tests.Events;

/// <summary>The event archive's files on disk: where they go, that the events reader takes them, erasure, and joining a folder for the trainer.</summary>
public sealed class EventArchiveTests : IDisposable
{
    private static readonly DateTimeOffset Received = new(2026, 12, 3, 14, 5, 6, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-archive-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private static ArchivedEvent Event(string user, string item, EventType type = EventType.View, string? session = null, string? id = null)
        => new(user, item, type, new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.FromHours(2)), id, session, id is null ? null : "rec-" + id);

    private static async Task<List<UserEvent>> ReadAsync(string path)
    {
        var events = new List<UserEvent>();
        await foreach (var e in EventReader.ReadAsync(path, new ReadReport(), default)) events.Add(e);
        return events;
    }

    [Fact]
    public async Task A_batch_is_one_new_file_in_its_days_folder_that_the_events_reader_takes()
    {
        var archive = new FolderEventArchive(_folder);

        await archive.AppendAsync([Event("u-1", "sku-1", EventType.Cart, id: "e-1"), Event("s-9", "sku-2", session: "s-9")], Received, default);
        await archive.AppendAsync([Event("u-2", "sku-3")], Received, default);

        var files = Directory.GetFiles(_folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, files.Length);
        Assert.All(files, f => Assert.Equal(Path.Combine(_folder, "2026", "12", "03"), Path.GetDirectoryName(f)));
        Assert.All(files, f => Assert.Matches(@"^140506\d{7}-[0-9a-f]{12}\.jsonl$", Path.GetFileName(f)));
        var first = (await Task.WhenAll(files.Select(ReadAsync))).SelectMany(e => e).ToList();
        Assert.Contains(new UserEvent("u-1", "sku-1", EventType.Cart, new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero)), first);
        Assert.Equal(3, first.Count);
        Assert.Contains(files, f => File.ReadAllText(f).StartsWith(
            """{"user_id":"u-1","item_id":"sku-1","event":"cart","timestamp":"2026-12-01T08:00:00.0000000Z","event_id":"e-1","recommendation_id":"rec-e-1"}""" + "\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Erasure_removes_the_lines_of_a_user_and_their_sessions_and_empty_files()
    {
        var archive = new FolderEventArchive(_folder);
        await archive.AppendAsync([Event("u-1", "sku-1"), Event("u-2", "sku-2")], Received, default);
        await archive.AppendAsync([Event("s-7", "sku-3", session: "s-7")], Received.AddDays(1), default);
        await archive.AppendAsync([Event("u-1", "sku-4", session: "s-7")], Received.AddDays(2), default);

        var removed = await archive.EraseAsync(new HashSet<string> { "u-1", "s-7" }, default);

        Assert.Equal(3, removed);
        var left = Directory.GetFiles(_folder, "*.jsonl", SearchOption.AllDirectories);
        Assert.Equal(["u-2"], (await ReadAsync(Assert.Single(left))).Select(e => e.UserId));
        Assert.Empty(Directory.GetFiles(_folder, "*.partial", SearchOption.AllDirectories));
        Assert.Equal(0, await archive.EraseAsync(new HashSet<string> { "u-1" }, default));
    }

    [Fact]
    public async Task A_folder_is_joined_in_path_order_into_the_one_file_the_trainer_reads()
    {
        var archive = new FolderEventArchive(Path.Combine(_folder, "events"));
        await archive.AppendAsync([Event("u-1", "sku-2")], Received.AddDays(1), default);
        await archive.AppendAsync([Event("u-1", "sku-1")], Received, default);
        File.WriteAllText(Path.Combine(_folder, "events", "notes.txt"), "not events");
        var joined = Path.Combine(_folder, "joined.jsonl");

        var (files, lines) = await EventFolder.JoinAsync(Path.Combine(_folder, "events"), joined, default);

        Assert.Equal((2, 2L), (files, lines));
        Assert.Equal(["sku-1", "sku-2"], (await ReadAsync(joined)).Select(e => e.ItemId));
        await Assert.ThrowsAsync<InvalidEventsException>(() => EventFolder.JoinAsync(Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName, joined, default));
    }
}

using Urm.Azure.Tests.Servers;
using Urm.Core.Events;
using Urm.Core.Kpi;
using Urm.Core.Profiles;
using Urm.Core.Serving;

namespace Urm.Core.Tests.Profiles;

/// <summary>Ingesting a batch over a real SQLite store: each event judged on its own, merges, duplicates, defaults.</summary>
public sealed class ProfileServiceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-ingest-").FullName;
    private readonly ManualTime _time = new(Now);
    private ProfileService _service = null!;

    private string Archive => Path.Combine(_folder, "events");

    private async Task<List<UserEvent>> ArchivedAsync()
    {
        var events = new List<UserEvent>();
        if (!Directory.Exists(Archive)) return events;
        foreach (var file in Directory.GetFiles(Archive, "*.jsonl", SearchOption.AllDirectories))
            await foreach (var e in EventReader.ReadAsync(file, new Urm.Core.Catalog.ReadReport(), default)) events.Add(e);
        return events;
    }

    public async Task InitializeAsync()
    {
        var store = await SqliteProfileStore.OpenAsync(Path.Combine(_folder, "urm.db"), null, default, _time);
        var log = await SqliteRecommendationLog.OpenAsync(Path.Combine(_folder, "urm.db"), default);
        _service = new ProfileService(store, new FolderEventArchive(Archive), log, time: _time);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private static IncomingEvent View(string? user, string item, string? id = null, string? session = null, DateTimeOffset? at = null)
        => new(id, user, session, item, "view", at, null);

    [Fact]
    public async Task A_bad_event_is_rejected_with_its_fields_and_the_good_ones_are_stored()
    {
        IncomingEvent?[] batch =
        [
            View("u-1", "sku-1", "e-1"),
            new IncomingEvent("e-2", null, null, " ", "teleport", Now.AddDays(30), null),
            null,
            new IncomingEvent(null, "u-1", null, "sku-2", "PURCHASE", null, "rec-7"),
        ];

        var result = await _service.IngestAsync(batch, null, default);

        Assert.Equal((2, 0, 2), (result.Accepted, result.Duplicates, result.Rejected));
        Assert.Equal([EventOutcome.Accepted, EventOutcome.Rejected, EventOutcome.Rejected, EventOutcome.Accepted], result.Results.Select(r => r.Status));
        Assert.Equal(["events[1].userId", "events[1].itemId", "events[1].event", "events[1].timestamp"], result.Results[1].Errors!.Select(e => e.Field));
        Assert.Equal("e-2", result.Results[1].EventId);
        Assert.Equal("events[2]", result.Results[2].Errors!.Single().Field);
        var profile = (await _service.GetUserAsync("u-1", default))!;
        Assert.Equal(["sku-1", "sku-2"], profile.Events.Select(e => e.ItemId));
        Assert.Equal(EventType.Purchase, profile.Events[1].Type);
        Assert.Equal(Now, profile.Events[1].Timestamp);
        Assert.Equal("rec-7", profile.Events[1].RecommendationId);
    }

    [Fact]
    public async Task Errors_the_reader_found_are_kept_and_not_repeated_as_missing_fields()
    {
        var read = new Dictionary<int, IReadOnlyList<FieldError>> { [0] = [new FieldError("events[0].itemId", "itemId must be a string.")] };

        var result = await _service.IngestAsync([View("u-1", null!)], read, default);

        Assert.Equal(["itemId must be a string."], result.Results[0].Errors!.Select(e => e.Message));
        Assert.Null(await _service.GetUserAsync("u-1", default));
    }

    [Fact]
    public async Task The_same_event_id_twice_is_stored_once()
    {
        var first = await _service.IngestAsync([View("u-1", "sku-1", "e-1"), View("u-1", "sku-1", "e-1")], null, default);
        var retry = await _service.IngestAsync([View("u-1", "sku-1", "e-1")], null, default);

        Assert.Equal([EventOutcome.Accepted, EventOutcome.Duplicate], first.Results.Select(r => r.Status));
        Assert.Equal(EventOutcome.Duplicate, retry.Results.Single().Status);
        Assert.Single((await _service.GetUserAsync("u-1", default))!.Events);
    }

    [Fact]
    public async Task An_event_with_a_session_and_a_user_merges_the_session_into_the_user()
    {
        await _service.IngestAsync([View(null, "sku-1", "e-1", session: "s-1", at: Now.AddMinutes(-3)), View(null, "sku-2", session: "s-1", at: Now.AddMinutes(-2))], null, default);
        await _service.IngestAsync([View("u-1", "sku-0", "e-0", at: Now.AddMinutes(-9))], null, default);

        var signIn = await _service.IngestAsync([new IncomingEvent("e-3", "u-1", "s-1", "sku-3", "cart", Now.AddMinutes(-1), null)], null, default);

        Assert.Equal(EventOutcome.Accepted, signIn.Results.Single().Status);
        var profile = (await _service.GetUserAsync("u-1", default))!;
        Assert.Equal(["sku-0", "sku-1", "sku-2", "sku-3"], profile.Events.Select(e => e.ItemId));
        Assert.Null(await _service.Store.GetAsync(ProfileKey.Session("s-1"), default));
    }

    [Fact]
    public async Task Every_newly_stored_event_is_archived_once_and_duplicates_are_not()
    {
        await _service.IngestAsync([View("u-1", "sku-1", "e-1"), View(null, "sku-2", session: "s-1"), View("u-1", "sku-1", "e-1")], null, default);
        await _service.IngestAsync([View("u-1", "sku-1", "e-1"), new IncomingEvent(null, "u-1", null, "sku-3", "teleport", null, null)], null, default);

        var archived = await ArchivedAsync();
        Assert.Equal([("s-1", "sku-2"), ("u-1", "sku-1")], archived.Select(e => (e.UserId, e.ItemId)).Order());
    }

    [Fact]
    public async Task When_the_archive_fails_the_batch_is_taken_back_so_a_retry_stores_and_archives_it()
    {
        var store = _service.Store;
        var failing = new ProfileService(store, new FailingArchive(), _service.Recommendations, time: _time);

        await Assert.ThrowsAsync<IOException>(() => failing.IngestAsync([View("u-1", "sku-1", "e-1"), View("u-1", "sku-2")], null, default));

        Assert.Null(await _service.GetUserAsync("u-1", default));
        var retry = await _service.IngestAsync([View("u-1", "sku-1", "e-1"), View("u-1", "sku-2")], null, default);
        Assert.Equal(2, retry.Accepted);
        Assert.Equal(2, (await ArchivedAsync()).Count);
    }

    [Fact]
    public async Task Erasing_a_user_removes_the_profile_and_the_archived_lines_and_the_recommendations_names_of_the_user_and_its_merged_sessions()
    {
        await _service.IngestAsync([View(null, "sku-0", session: "s-1"), View("u-2", "sku-2", "e-1")], null, default);
        await _service.IngestAsync([View("u-1", "sku-1", "e-1", session: "s-1")], null, default);
        foreach (var (user, session) in new (string?, string?)[] { ("u-1", null), (null, "s-1"), ("u-2", null) })
            await _service.Recommendations.RecordAsync(new RecommendationRecord(RecommendationRecord.NewId(), Now, "m1", "next-item", user, session, 1, ["sku-1"]), default);

        var erased = await _service.EraseUserAsync("u-1", default);

        Assert.Equal(new Erasure(2, 2, 2), erased);
        Assert.Null(await _service.GetUserAsync("u-1", default));
        Assert.NotNull(await _service.GetUserAsync("u-2", default));
        Assert.Equal(["u-2"], (await ArchivedAsync()).Select(e => e.UserId));
        var records = await _service.Recommendations.ReadAsync(Now, Now.AddSeconds(1), default).ToListAsync();
        Assert.Equal([null, null, "u-2"], records.Select(r => r.UserId).Order());
        Assert.All(records, r => Assert.Null(r.SessionId));
    }

    [Fact]
    public async Task An_erasure_that_fails_part_way_keeps_the_profile_so_a_repeat_finds_the_merged_sessions_again()
    {
        await _service.IngestAsync([View(null, "sku-0", session: "s-1")], null, default);
        await _service.IngestAsync([View("u-1", "sku-1", session: "s-1")], null, default);
        await _service.Recommendations.RecordAsync(new RecommendationRecord(RecommendationRecord.NewId(), Now, "m1", "next-item", null, "s-1", 1, ["sku-0"]), default);
        var failing = new ProfileService(_service.Store, _service.Archive, new UnreachableLog(), time: _time);

        await Assert.ThrowsAsync<IOException>(() => failing.EraseUserAsync("u-1", default));
        Assert.NotNull(await _service.GetUserAsync("u-1", default));

        var erased = await _service.EraseUserAsync("u-1", default);
        Assert.Equal(1, erased.AnonymisedRecommendations);
        Assert.Null((await _service.Recommendations.ReadAsync(Now, Now.AddSeconds(1), default).SingleAsync()).SessionId);
    }

    private sealed class UnreachableLog : IRecommendationLog
    {
        public Task RecordAsync(RecommendationRecord record, CancellationToken cancellationToken) => throw new IOException("The log cannot be reached.");

        public IAsyncEnumerable<RecommendationRecord> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) => throw new IOException("The log cannot be reached.");

        public Task<int> EraseShopperAsync(string userId, IReadOnlySet<string> sessionIds, CancellationToken cancellationToken) => throw new IOException("The log cannot be reached.");
    }

    private sealed class FailingArchive : IEventArchive
    {
        public Task AppendAsync(IReadOnlyList<ArchivedEvent> events, DateTimeOffset received, CancellationToken cancellationToken)
            => throw new IOException("The archive's disk is full.");

        public Task<int> EraseAsync(IReadOnlySet<string> shoppers, CancellationToken cancellationToken) => Task.FromResult(0);

        public IAsyncEnumerable<ArchivedEvent> ReadAsync(DateOnly firstDay, DateOnly lastDay, CancellationToken cancellationToken) => AsyncEnumerable.Empty<ArchivedEvent>();
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_refused_as_a_whole()
    {
        var batch = Enumerable.Range(0, 501).Select(i => (IncomingEvent?)View("u-1", $"sku-{i}")).ToList();

        await Assert.ThrowsAsync<ArgumentException>(() => _service.IngestAsync(batch, null, default));
        Assert.Null(await _service.GetUserAsync("u-1", default));
    }
}

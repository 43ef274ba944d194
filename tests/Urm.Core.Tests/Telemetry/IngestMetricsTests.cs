using Urm.Azure.Tests.Servers;
using Urm.Core.Events;
using Urm.Core.Kpi;
using Urm.Core.Profiles;
using Urm.Core.Telemetry;

namespace Urm.Core.Tests.Telemetry;

/// <summary>Events ingested, counted by outcome, over a real SQLite profile store.</summary>
public sealed class IngestMetricsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-ingest-metrics-").FullName;
    private readonly ManualTime _time = new(Now);
    private readonly MetricsRecorder _recorder = new();
    private ProfileService _service = null!;

    public async Task InitializeAsync()
    {
        var store = await SqliteProfileStore.OpenAsync(Path.Combine(_folder, "urm.db"), null, default, _time);
        var log = await SqliteRecommendationLog.OpenAsync(Path.Combine(_folder, "urm.db"), default);
        _service = new ProfileService(store, new FolderEventArchive(Path.Combine(_folder, "events")), log, time: _time, metrics: _recorder.Metrics);
    }

    public Task DisposeAsync()
    {
        _recorder.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private static IncomingEvent Click(string? user, string? item, string id) => new(id, user, null, item, "click", Now.AddMinutes(-1), null);

    private (double Accepted, double Duplicate, double Rejected) Counted() =>
        (_recorder.Sum(UrmMetrics.EventsIngested, UrmMetrics.OutcomeTag, EventOutcome.Accepted),
         _recorder.Sum(UrmMetrics.EventsIngested, UrmMetrics.OutcomeTag, EventOutcome.Duplicate),
         _recorder.Sum(UrmMetrics.EventsIngested, UrmMetrics.OutcomeTag, EventOutcome.Rejected));

    [Fact]
    public async Task A_batch_of_one_good_one_duplicate_and_one_bad_event_adds_one_to_each_outcome()
    {
        await _service.IngestAsync([Click("u-1", "sku-1", "e-1")], null, default);
        Assert.Equal((1d, 0d, 0d), Counted());

        var result = await _service.IngestAsync([Click("u-1", "sku-2", "e-2"), Click("u-1", "sku-1", "e-1"), Click("u-1", null, "e-3")], null, default);

        Assert.Equal((1, 1, 1), (result.Accepted, result.Duplicates, result.Rejected));
        Assert.Equal((2d, 1d, 1d), Counted());
        Assert.All(_recorder.Of(UrmMetrics.EventsIngested), m => Assert.Equal([UrmMetrics.OutcomeTag], m.Tags.Keys));
    }

    [Fact]
    public async Task A_batch_that_fails_to_store_counts_nothing_so_its_retry_is_counted_once()
    {
        var failing = new ProfileService(await SqliteProfileStore.OpenAsync(Path.Combine(_folder, "other.db"), null, default, _time),
            new FailingArchive(), await SqliteRecommendationLog.OpenAsync(Path.Combine(_folder, "other.db"), default), time: _time, metrics: _recorder.Metrics);

        await Assert.ThrowsAsync<IOException>(() => failing.IngestAsync([Click("u-1", "sku-1", "e-1")], null, default));

        Assert.Empty(_recorder.Of(UrmMetrics.EventsIngested));
    }

    private sealed class FailingArchive : IEventArchive
    {
        public Task AppendAsync(IReadOnlyList<ArchivedEvent> events, DateTimeOffset received, CancellationToken cancellationToken)
            => throw new IOException("The archive's disk is full.");

        public Task<int> EraseAsync(IReadOnlySet<string> shoppers, CancellationToken cancellationToken) => Task.FromResult(0);

        public IAsyncEnumerable<ArchivedEvent> ReadAsync(DateOnly firstDay, DateOnly lastDay, CancellationToken cancellationToken) => AsyncEnumerable.Empty<ArchivedEvent>();
    }
}

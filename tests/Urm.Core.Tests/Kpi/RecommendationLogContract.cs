using Urm.Core.Kpi;

namespace Urm.Core.Tests.Kpi;

/// <summary>
/// What every <see cref="IRecommendationLog"/> must do, whatever it is built on. A log's test class derives
/// from this and says only how to open a new, empty log.
/// </summary>
public abstract class RecommendationLogContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 5, 1, 23, 30, 0, TimeSpan.Zero);

    protected abstract Task<IRecommendationLog> CreateAsync();

    protected abstract Task CleanUpAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => CleanUpAsync();

    private static async Task<List<RecommendationRecord>> ReadAsync(IRecommendationLog log, DateTimeOffset from, DateTimeOffset to)
    {
        var read = new List<RecommendationRecord>();
        await foreach (var r in log.ReadAsync(from, to, default)) read.Add(r);
        return read.OrderBy(r => r.Time).ToList();
    }

    [Fact]
    public async Task A_record_reads_back_with_every_field_and_its_items_in_order()
    {
        var log = await CreateAsync();
        var record = new RecommendationRecord(RecommendationRecord.NewId(), T0, "m1", "search", "u-1", "s-1", 5, ["sku-9", "sku-1", "sku-4"]);
        await log.RecordAsync(record, default);

        var read = Assert.Single(await ReadAsync(log, T0, T0.AddSeconds(1)));
        Assert.Equal((record.Id, record.Time, record.ModelVersion, record.Task, record.UserId, record.SessionId, record.K),
            (read.Id, read.Time, read.ModelVersion, read.Task, read.UserId, read.SessionId, read.K));
        Assert.Equal(record.Items, read.Items);
    }

    [Fact]
    public async Task An_experiment_arm_reads_back_and_a_record_outside_one_reads_back_without()
    {
        var log = await CreateAsync();
        var inArm = new RecommendationRecord(RecommendationRecord.NewId(), T0, "m2", "next-item", "u-1", null, 5, ["sku-9"], "B");
        var outside = new RecommendationRecord(RecommendationRecord.NewId(), T0.AddSeconds(1), "m1", "next-item", null, null, 5, ["sku-1"]);
        await log.RecordAsync(inArm, default);
        await log.RecordAsync(outside, default);

        var read = await ReadAsync(log, T0, T0.AddSeconds(2));
        Assert.Equal([("m2", "B"), ("m1", null)], read.Select(r => (r.ModelVersion, r.Arm)));
    }

    [Fact]
    public async Task A_range_holds_from_and_not_to_across_days()
    {
        var log = await CreateAsync();
        foreach (var minutes in new[] { -1, 0, 45, 90 })
            await log.RecordAsync(new RecommendationRecord(RecommendationRecord.NewId(), T0.AddMinutes(minutes), "m1", "next-item", null, null, 1, ["a"]), default);

        // From 23:30 on one day to 01:00 on the next: 23:30 and 00:15 are in, 23:29 and 01:00 are not.
        var read = await ReadAsync(log, T0, T0.AddMinutes(90));
        Assert.Equal([T0, T0.AddMinutes(45)], read.Select(r => r.Time));
    }

    [Fact]
    public async Task A_second_record_with_the_same_id_is_ignored()
    {
        var log = await CreateAsync();
        var id = RecommendationRecord.NewId();
        await log.RecordAsync(new RecommendationRecord(id, T0, "m1", "next-item", null, null, 1, ["a"]), default);
        await log.RecordAsync(new RecommendationRecord(id, T0, "m2", "similar", null, null, 1, ["b"]), default);

        var read = Assert.Single(await ReadAsync(log, T0.AddHours(-1), T0.AddHours(1)));
        Assert.Equal("m1", read.ModelVersion);
    }
}

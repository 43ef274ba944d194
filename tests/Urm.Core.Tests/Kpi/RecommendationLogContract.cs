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

    [Fact]
    public async Task Erasing_a_shopper_clears_the_user_and_session_of_every_record_that_names_them_and_keeps_the_rest()
    {
        var log = await CreateAsync();
        (string? User, string? Session)[] shoppers =
        [
            ("u-1", null), ("u-1", "s-9"), (null, "s-1"), (null, "s-2"), ("u-2", null), ("u-2", "s-1"), (null, null), ("s-1", null),
        ];
        var records = shoppers.Select((s, i) => new RecommendationRecord(RecommendationRecord.NewId(), T0.AddHours(i * 5), "m1", "next-item", s.User, s.Session, 2, [$"sku-{i}", "sku-x"])).ToList();
        foreach (var r in records) await log.RecordAsync(r, default);

        // u-1, and s-1 merged into it: the records of u-1 (with any session) and of s-1 (with any user).
        var erased = await log.EraseShopperAsync("u-1", new HashSet<string> { "s-1" }, default);

        Assert.Equal(4, erased);
        var read = await ReadAsync(log, T0, T0.AddDays(3));
        Assert.Equal(records.Select(r => r.Id), read.Select(r => r.Id));
        Assert.Equal([(null, null), (null, null), (null, null), (null, "s-2"), ("u-2", null), (null, null), (null, null), ("s-1", null)],
            read.Select(r => (r.UserId, r.SessionId)));
        Assert.Equal(records.Select(r => (r.Time, r.ModelVersion, r.Task, r.K, string.Join(",", r.Items))),
            read.Select(r => (r.Time, r.ModelVersion, r.Task, r.K, string.Join(",", r.Items))));
        Assert.Equal(0, await log.EraseShopperAsync("u-1", new HashSet<string> { "s-1" }, default));
    }

    [Fact]
    public async Task A_record_written_after_an_erasure_names_its_shopper_again_until_the_next_one()
    {
        var log = await CreateAsync();
        await log.RecordAsync(new RecommendationRecord(RecommendationRecord.NewId(), T0, "m1", "next-item", "u-1", null, 1, ["a"]), default);
        Assert.Equal(1, await log.EraseShopperAsync("u-1", new HashSet<string>(), default));

        var later = new RecommendationRecord(RecommendationRecord.NewId(), T0.AddMinutes(1), "m1", "next-item", "u-1", null, 1, ["b"]);
        await log.RecordAsync(later, default);
        Assert.Equal("u-1", (await ReadAsync(log, T0, T0.AddHours(1))).Single(r => r.Id == later.Id).UserId);

        Assert.Equal(1, await log.EraseShopperAsync("u-1", new HashSet<string>(), default));
        Assert.All(await ReadAsync(log, T0, T0.AddHours(1)), r => Assert.Null(r.UserId));
    }
}

using Urm.Core.Cards;
using Urm.Core.Kpi;
using Urm.Core.Profiles;

namespace Urm.Core.Tests.Profiles;

/// <summary>The profile store contract on a SQLite file; each store gets its own file.</summary>
public sealed class SqliteProfileStoreTests : ProfileStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-profiles-").FullName;

    protected override async Task<IProfileStore> CreateAsync(ProfileOptions options, TimeProvider time)
        => await SqliteProfileStore.OpenAsync(Path.Combine(_folder, $"{Guid.NewGuid():N}.db"), options, default, time);

    protected override Task CleanUpAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Profiles_live_in_the_card_store_file_beside_its_cards()
    {
        var path = Path.Combine(_folder, "urm.db");
        using var cards = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(path), default);
        var profiles = await SqliteProfileStore.OpenAsync(path, null, default);

        await profiles.AppendAsync(ProfileKey.User("u-1"), [Event("e-1", "sku-1", 1)], default);

        Assert.Equal(0, await cards.GetCatalogVersionAsync(default));
        var reopened = await SqliteProfileStore.OpenAsync(path, null, default);
        Assert.Single((await reopened.GetAsync(ProfileKey.User("u-1"), default))!.Events);
    }

    [Fact]
    public async Task Options_out_of_range_are_refused_with_the_setting_name()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => SqliteProfileStore.OpenAsync(Path.Combine(_folder, "x.db"), new ProfileOptions { MaxEvents = 0 }, default));
        Assert.Contains("Profiles__MaxEvents", error.Message);
    }

    [Fact]
    public async Task Appends_sent_at_once_beside_the_log_all_succeed_every_event_reads_back_and_a_repeat_counts_once()
    {
        var path = Path.Combine(_folder, "busy.db");
        var profiles = await SqliteProfileStore.OpenAsync(path, null, default);
        var log = await SqliteRecommendationLog.OpenAsync(path, default);
        // As a busy server writes: 64 batches to 8 shoppers and 64 answers to the log in the same file, at once.
        // Each shopper's 8 batches all carry the shopper's "e-again" besides 3 events of their own.
        var batches = Enumerable.Range(0, 64).Select(i => (
            User: ProfileKey.User($"u-{i % 8}"),
            Events: (IReadOnlyList<ProfileEvent>)[.. Enumerable.Range(0, 3).Select(j => Event($"e-{i}-{j}", $"sku-{i}-{j}", j)), Event($"e-again-{i % 8}", "sku-again", 9)])).ToList();
        var appends = batches.Select(b => Task.Run(() => profiles.AppendAsync(b.User, b.Events, default))).ToList();
        var records = Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            log.RecordAsync(new RecommendationRecord($"r-{i}", T0.AddSeconds(i), "m1", "next-item", $"u-{i % 8}", null, 1, ["sku-1"]), default)));
        await Task.WhenAll([.. appends, .. records]);

        var stored = appends.Select(a => a.Result).ToList();
        for (var u = 0; u < 8; u++)
        {
            var mine = Enumerable.Range(0, 64).Where(i => i % 8 == u).ToList();
            // The repeat is stored by exactly one of the shopper's batches, every other event by its own.
            Assert.Equal(1, mine.Count(i => stored[i][3]));
            Assert.All(mine, i => Assert.Equal([true, true, true], stored[i].Take(3)));
            var expected = mine.SelectMany(i => Enumerable.Range(0, 3).Select(j => $"e-{i}-{j}")).Append($"e-again-{u}").Order(StringComparer.Ordinal);
            var profile = await profiles.GetAsync(ProfileKey.User($"u-{u}"), default);
            Assert.Equal(expected, profile!.Events.Select(e => e.EventKey).Order(StringComparer.Ordinal));
        }
        var read = new List<RecommendationRecord>();
        await foreach (var r in log.ReadAsync(T0, T0.AddHours(1), default)) read.Add(r);
        Assert.Equal(64, read.Count);
    }

    [Fact]
    public async Task Appends_sent_at_once_keep_only_the_newest_MaxEvents()
    {
        var profiles = await SqliteProfileStore.OpenAsync(Path.Combine(_folder, "capped.db"), new ProfileOptions { MaxEvents = 5 }, default);
        var user = ProfileKey.User("u-1");

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => profiles.AppendAsync(user, [Event($"e-{i:D2}", $"sku-{i}", i)], default))));

        var profile = await profiles.GetAsync(user, default);
        Assert.Equal(["e-15", "e-16", "e-17", "e-18", "e-19"], profile!.Events.Select(e => e.EventKey));
    }

    [Fact]
    public async Task An_append_whose_caller_gave_up_is_not_stored_by_the_next_write()
    {
        var profiles = await SqliteProfileStore.OpenAsync(Path.Combine(_folder, "given-up.db"), null, default);
        var user = ProfileKey.User("u-1");
        using var gaveUp = new CancellationTokenSource();
        await gaveUp.CancelAsync();

        // Queued, then given up before its turn: the caller is answered with an error, so storing it later would
        // leave an event in the profile that the archive never got.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => profiles.AppendAsync(user, [Event("e-1", "sku-1", 1)], gaveUp.Token));
        Assert.Equal([true], await profiles.AppendAsync(user, [Event("e-2", "sku-2", 2)], default));

        Assert.Equal(["e-2"], (await profiles.GetAsync(user, default))!.Events.Select(e => e.EventKey));
    }
}

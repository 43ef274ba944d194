using Urm.Azure.Tests.Servers;
using Urm.Core.Events;
using Urm.Core.Profiles;

namespace Urm.Core.Tests.Profiles;

/// <summary>
/// What every <see cref="IProfileStore"/> must do, whatever it is built on. A store's test class derives
/// from this and says only how to open a new, empty store with the given options.
/// </summary>
public abstract class ProfileStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A new, empty store with <paramref name="options"/>, on <paramref name="time"/>'s clock.</summary>
    protected abstract Task<IProfileStore> CreateAsync(ProfileOptions options, TimeProvider time);

    /// <summary>Releases the stores and what they hold.</summary>
    protected abstract Task CleanUpAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => CleanUpAsync();

    private Task<IProfileStore> NewAsync(ProfileOptions? options = null, TimeProvider? time = null)
        => CreateAsync(options ?? ProfileOptions.Default, time ?? TimeProvider.System);

    internal static ProfileEvent Event(string key, string item, int minute, EventType type = EventType.View, string? session = null, bool generated = false)
        => new(key, generated ? null : key, item, type, T0.AddMinutes(minute), session, null, T0.AddMinutes(minute).UtcTicks);

    private static string[] Items(Profile? profile) => profile?.Events.Select(e => e.ItemId).ToArray() ?? [];

    [Fact]
    public async Task Appended_events_read_back_oldest_first_with_every_field()
    {
        var store = await NewAsync();
        var user = ProfileKey.User("u-1");
        var purchase = new ProfileEvent("e-3", "e-3", "sku-3", EventType.Purchase, T0.AddMinutes(3), "s-9", "rec-1", 42);

        var stored = await store.AppendAsync(user, [Event("e-2", "sku-2", 2), purchase, Event("e-1", "sku-1", 1, EventType.Cart)], default);

        Assert.Equal([true, true, true], stored);
        var profile = await store.GetAsync(user, default);
        Assert.Equal(["sku-1", "sku-2", "sku-3"], Items(profile));
        Assert.Equal(user, profile!.Key);
        Assert.Equal(purchase, profile.Events[2]);
        Assert.Equal(EventType.Cart, profile.Events[0].Type);
    }

    [Fact]
    public async Task The_same_event_key_is_stored_once_within_a_batch_and_across_batches()
    {
        var store = await NewAsync();
        var user = ProfileKey.User("u-1");

        var first = await store.AppendAsync(user, [Event("e-1", "sku-1", 1), Event("e-1", "sku-1", 1)], default);
        var again = await store.AppendAsync(user, [Event("e-1", "sku-1", 1), Event("e-2", "sku-2", 2)], default);

        Assert.Equal([true, false], first);
        Assert.Equal([false, true], again);
        Assert.Equal(["sku-1", "sku-2"], Items(await store.GetAsync(user, default)));
    }

    [Fact]
    public async Task Users_and_sessions_of_the_same_id_are_different_profiles()
    {
        var store = await NewAsync();

        await store.AppendAsync(ProfileKey.User("x"), [Event("e-1", "sku-1", 1)], default);
        await store.AppendAsync(ProfileKey.Session("x"), [Event("e-1", "sku-2", 1)], default);

        Assert.Equal(["sku-1"], Items(await store.GetAsync(ProfileKey.User("x"), default)));
        Assert.Equal(["sku-2"], Items(await store.GetAsync(ProfileKey.Session("x"), default)));
        Assert.Null(await store.GetAsync(ProfileKey.User("nobody"), default));
    }

    [Fact]
    public async Task A_profile_keeps_only_its_most_recent_events_up_to_the_cap()
    {
        var store = await NewAsync(new ProfileOptions { MaxEvents = 3 });
        var user = ProfileKey.User("u-1");

        await store.AppendAsync(user, [Event("e-5", "sku-5", 5), Event("e-1", "sku-1", 1), Event("e-3", "sku-3", 3)], default);
        await store.AppendAsync(user, [Event("e-4", "sku-4", 4), Event("e-2", "sku-2", 2)], default);

        Assert.Equal(["sku-3", "sku-4", "sku-5"], Items(await store.GetAsync(user, default)));
    }

    [Fact]
    public async Task Merging_a_session_moves_its_events_into_the_user_once()
    {
        var store = await NewAsync();
        var (session, user) = (ProfileKey.Session("s-1"), ProfileKey.User("u-1"));
        await store.AppendAsync(session, [Event("e-1", "sku-1", 1, session: "s-1"), Event("e-2", "sku-2", 2, session: "s-1"), Event("g-1", "sku-9", 4, generated: true)], default);
        await store.AppendAsync(user, [Event("e-2", "sku-2", 2), Event("e-3", "sku-3", 3)], default);

        var moved = await store.MergeAsync(session, user, default);
        var again = await store.MergeAsync(session, user, default);

        Assert.Equal(3, moved);
        Assert.Equal(0, again);
        Assert.Null(await store.GetAsync(session, default));
        var merged = await store.GetAsync(user, default);
        Assert.Equal(["sku-1", "sku-2", "sku-3", "sku-9"], Items(merged));
        Assert.Equal("s-1", merged!.Events[0].SessionId);
    }

    [Fact]
    public async Task Deleting_a_profile_erases_all_its_events_and_nothing_else()
    {
        var store = await NewAsync();
        await store.AppendAsync(ProfileKey.User("u-1"), [Event("e-1", "sku-1", 1), Event("e-2", "sku-2", 2)], default);
        await store.AppendAsync(ProfileKey.User("u-2"), [Event("e-1", "sku-1", 1)], default);

        Assert.Equal(2, await store.DeleteAsync(ProfileKey.User("u-1"), default));
        Assert.Equal(0, await store.DeleteAsync(ProfileKey.User("u-1"), default));

        Assert.Null(await store.GetAsync(ProfileKey.User("u-1"), default));
        Assert.Equal(["sku-1"], Items(await store.GetAsync(ProfileKey.User("u-2"), default)));
        // Erased means gone: the same event id is new again.
        Assert.Equal([true], await store.AppendAsync(ProfileKey.User("u-1"), [Event("e-1", "sku-1", 1)], default));
    }

    [Fact]
    public async Task Removing_takes_back_only_the_named_events()
    {
        var store = await NewAsync();
        var user = ProfileKey.User("u-1");
        await store.AppendAsync(user, [Event("e-1", "sku-1", 1), Event("e-2", "sku-2", 2), Event("e-3", "sku-3", 3)], default);

        await store.RemoveAsync(user, ["e-2", "e-3", "not-there"], default);

        Assert.Equal(["sku-1"], Items(await store.GetAsync(user, default)));
    }

    [Fact]
    public async Task Ids_with_characters_a_document_id_refuses_are_kept_as_sent()
    {
        var store = await NewAsync();
        var user = ProfileKey.User("u/1?#\\ é");

        var stored = await store.AppendAsync(user, [Event("e/1?#\\", "sku/1", 1), Event("e/1?#\\", "sku/1", 1)], default);

        Assert.Equal([true, false], stored);
        var profile = await store.GetAsync(user, default);
        Assert.Equal("e/1?#\\", profile!.Events.Single().EventId);
        Assert.Equal("sku/1", profile.Events.Single().ItemId);
    }

    [Fact]
    public async Task Events_past_their_time_to_live_are_gone_and_may_come_again()
    {
        var time = new ManualTime(T0);
        var store = await NewAsync(new ProfileOptions { EventTtl = TimeSpan.FromHours(1) }, time);
        var user = ProfileKey.User("u-1");
        await store.AppendAsync(user, [Event("e-1", "sku-1", 1)], default);
        time.Advance(TimeSpan.FromMinutes(30));
        await store.AppendAsync(user, [Event("e-2", "sku-2", 2)], default);

        time.Advance(TimeSpan.FromMinutes(45));

        Assert.Equal(["sku-2"], (await store.GetAsync(user, default))!.Events.Select(e => e.ItemId));
        Assert.Equal([true], await store.AppendAsync(user, [Event("e-1", "sku-1", 1, EventType.Click)], default));
        Assert.Equal(EventType.Click, (await store.GetAsync(user, default))!.Events[0].Type);
    }
}

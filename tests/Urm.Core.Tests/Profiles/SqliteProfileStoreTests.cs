using Urm.Core.Cards;
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
}

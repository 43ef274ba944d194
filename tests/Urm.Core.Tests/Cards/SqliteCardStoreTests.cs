using Urm.Core.Cards;

namespace Urm.Core.Tests.Cards;

/// <summary>The store contract on the embedded SQLite file; each test gets its own file.</summary>
public sealed class SqliteCardStoreTests : CardStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-cardstore-").FullName;

    protected override async Task<ICardStore> CreateAsync()
        => await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(Path.Combine(_folder, $"{Guid.NewGuid():N}.db")), default);

    protected override async Task<ICardStore> OpenSecondAsync(ICardStore first)
        => await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(((SqliteCardStore)first).Path), default);

    protected override Task CleanUpAsync(IReadOnlyList<ICardStore> stores)
    {
        foreach (var store in stores.OfType<SqliteCardStore>()) store.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

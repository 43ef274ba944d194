using Urm.Core.Cards;

namespace Urm.Core.Tests.Cards;

/// <summary>The store contract on a card set other than the default, beside nothing else in its file.</summary>
public sealed class SqliteCardStoreInASetTests : CardStoreContract
{
    private const string Set = "m-2026-12-01 (next)";
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-cardstore-set-").FullName;

    protected override async Task<ICardStore> CreateAsync()
        => await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(Path.Combine(_folder, $"{Guid.NewGuid():N}.db"), CardSet: Set), default);

    protected override async Task<ICardStore> OpenSecondAsync(ICardStore first)
        => await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(((SqliteCardStore)first).Path, CardSet: ((SqliteCardStore)first).CardSet), default);

    protected override Task CleanUpAsync(IReadOnlyList<ICardStore> stores)
    {
        foreach (var store in stores.OfType<SqliteCardStore>()) store.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

namespace Urm.Core.Cards;

/// <summary>
/// The card sets of one SQLite file (see <see cref="SqliteCardStore"/> for their tables). Each set is
/// opened once, on first use, and the same store is handed out after that.
/// </summary>
public sealed class SqliteCardSets : ICardSets, IDisposable
{
    private readonly SqliteCardStoreOptions _options;
    private readonly Dictionary<string, SqliteCardStore> _open = new(StringComparer.Ordinal);
    // Opening runs DDL in a write transaction: one at a time, so two callers of a new set never race to create it.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;

    /// <param name="options">The file and its busy timeout; its <see cref="SqliteCardStoreOptions.CardSet"/> is replaced by each set's name.</param>
    public SqliteCardSets(SqliteCardStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        _options = options;
    }

    public async Task<ICardStore> OpenAsync(string cardSet, CancellationToken cancellationToken)
    {
        CardSetNames.Check(cardSet, nameof(cardSet));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_open.TryGetValue(cardSet, out var store)) return store;
            store = await SqliteCardStore.OpenAsync(_options with { CardSet = cardSet }, cancellationToken).ConfigureAwait(false);
            _open[cardSet] = store;
            return store;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes every set's pooled connections, so the file can be moved or deleted.</summary>
    public void Dispose()
    {
        // The gate is left undisposed: a caller still waiting on it gets ObjectDisposedException from the flag, not from the gate.
        _gate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var store in _open.Values) store.Dispose();
            _open.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }
}

using Urm.Core.Retrieval;
using Urm.Core.Serving;

namespace Urm.Core.Cards;

/// <summary>
/// One model's copy of its card store: an immutable <see cref="CardSnapshot"/>, refreshed incrementally.
/// At most once per check interval it reads the catalog version; when that moved it reads only the cards
/// changed since, builds a new snapshot beside the old one and swaps it in, so a reader never sees a
/// half-built one. Concurrent callers start one refresh; the others keep serving the current snapshot
/// meanwhile (only a caller with no snapshot at all waits).
/// </summary>
/// <remarks>
/// Only cards of the model's <see cref="CardSpace"/> are served: a card fused by another model lives in
/// another vector space (possibly of another size), so scoring it against this model's user vectors would
/// rank it by noise. Each model gets its own index over its own card set (<see cref="Models.Runtime.ModelHost"/>),
/// so such cards appear only where one store holds several models' cards (urm serve after a model change,
/// until its next encoding run re-fuses them).
/// </remarks>
public sealed class CardIndex : ICardSnapshotSource, IDisposable
{
    private readonly ICardStore _store;
    private readonly CardSpace _space;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly SemaphoreSlim _refresh = new(1, 1);

    // Every live (non-retired) card in the store as of _version, so that a refresh reads only what changed.
    // Touched only under _refresh.
    private readonly Dictionary<string, CardDocument> _live = new(StringComparer.Ordinal);
    private long _version = -1;
    private CardSnapshot? _snapshot;
    private long _lastCheck = long.MinValue;

    /// <param name="space">The model's card space: which of the store's cards this index serves.</param>
    public CardIndex(ICardStore store, CardSpace space, CardIndexOptions? options = null, TimeProvider? time = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _space = space ?? throw new ArgumentNullException(nameof(space));
        _time = time ?? TimeProvider.System;
        _interval = (options ?? CardIndexOptions.Default).EffectiveCheckInterval;
    }

    /// <summary>The snapshot served now, without a check for changes; null before the first read.</summary>
    public CardSnapshot? Current => Volatile.Read(ref _snapshot);

    public async ValueTask<CardSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _snapshot);
        if (current is not null && !CheckDue()) return current;

        if (current is not null)
        {
            // Someone else is refreshing: serve what there is rather than queue behind the store.
            if (!await _refresh.WaitAsync(0, cancellationToken).ConfigureAwait(false)) return current;
        }
        else
        {
            await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Dispose() => _refresh.Dispose();

    private bool CheckDue()
    {
        var last = Interlocked.Read(ref _lastCheck);
        return last == long.MinValue || _time.GetElapsedTime(last) >= _interval;
    }

    private async Task<CardSnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        var current = _snapshot;
        // A caller that waited may find the refresh it wanted already done.
        if (current is not null && !CheckDue()) return current;

        var version = await _store.GetCatalogVersionAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _lastCheck, _time.GetTimestamp());
        if (current is not null && version == _version) return current;

        // Changes are read after the version: a write in between may be read early and then read again on
        // the next refresh, which replaces a card by itself. Harmless; missing it is not.
        await foreach (var card in _store.ReadChangedAsync(Math.Max(_version, 0), cancellationToken).ConfigureAwait(false))
        {
            if (card.Retired) _live.Remove(card.Id);
            else _live[card.Id] = card;
        }
        _version = version;

        var built = Build(version);
        Volatile.Write(ref _snapshot, built);
        return built;
    }

    private CardSnapshot Build(long version)
    {
        // Rows ordered by id (ordinal): the same store content gives the same matrix on every instance.
        // A card of this model but another length is corrupt, and left out rather than failing every request.
        var documents = _live.Values
            .Where(c => c.ModelVersion == _space.ModelVersion && c.Vector.Length == _space.Dimension)
            .OrderBy(c => c.Id, StringComparer.Ordinal)
            .ToArray();
        var vectors = new float[documents.Length * _space.Dimension];
        for (var i = 0; i < documents.Length; i++) documents[i].Vector.CopyTo(vectors, i * _space.Dimension);
        var lenders = documents.Any(d => d.Lender is not null) ? documents.Select(d => d.Lender).ToArray() : null;
        var matrix = new CardMatrix(documents.Select(d => d.Id).ToArray(), vectors, _space.Dimension, lenders);
        return new CardSnapshot(matrix, documents, version, _space.ModelVersion);
    }
}

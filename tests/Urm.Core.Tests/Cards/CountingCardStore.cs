using Urm.Core.Cards;

namespace Urm.Core.Tests.Cards;

/// <summary>Passes every call on and counts the reads a snapshot source makes.</summary>
internal sealed class CountingCardStore(ICardStore inner) : ICardStore
{
    private int _versionReads, _changeReads;

    public int VersionReads => _versionReads;
    public int ChangeReads => _changeReads;

    public Task<long> GetCatalogVersionAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _versionReads);
        return inner.GetCatalogVersionAsync(cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, (string ContentHash, string ModelVersion)>> GetStampsAsync(CancellationToken cancellationToken) => inner.GetStampsAsync(cancellationToken);

    public Task<long> UpsertAsync(IReadOnlyList<CardDocument> cards, CancellationToken cancellationToken) => inner.UpsertAsync(cards, cancellationToken);

    public Task<long> RetireAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) => inner.RetireAsync(ids, cancellationToken);

    public IAsyncEnumerable<CardDocument> ReadChangedAsync(long sinceVersion, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _changeReads);
        return inner.ReadChangedAsync(sinceVersion, cancellationToken);
    }
}

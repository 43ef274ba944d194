namespace Urm.Core.Cards;

/// <summary>
/// Where cards live: an embedded SQLite file locally, a Cosmos DB container in Azure. Every write bumps
/// the catalog version, so a serving instance can tell with one cheap read whether to refresh.
/// </summary>
public interface ICardStore
{
    /// <summary>The current catalog version: changes on every write that changes a card.</summary>
    Task<long> GetCatalogVersionAsync(CancellationToken cancellationToken);

    /// <summary>Content hash and model version of every stored, non-retired card, for the incremental diff.</summary>
    Task<IReadOnlyDictionary<string, (string ContentHash, string ModelVersion)>> GetStampsAsync(CancellationToken cancellationToken);

    /// <summary>Inserts or replaces cards; returns the new catalog version.</summary>
    Task<long> UpsertAsync(IReadOnlyList<CardDocument> cards, CancellationToken cancellationToken);

    /// <summary>Marks cards retired (absent from a full snapshot): never served again, kept for history.</summary>
    Task<long> RetireAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>Every card changed after <paramref name="sinceVersion"/> (0: all), retired ones included so a reader can drop them.</summary>
    IAsyncEnumerable<CardDocument> ReadChangedAsync(long sinceVersion, CancellationToken cancellationToken);
}

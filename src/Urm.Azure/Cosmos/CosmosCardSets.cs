using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Urm.Core.Cards;

namespace Urm.Azure.Cosmos;

/// <summary>
/// The card sets of one Cosmos DB container (partitions per set, see <see cref="CardPartitions"/>), all
/// over one client. Each set's <see cref="CosmosCardStore"/> is made once, on first use, and the same
/// store is handed out after that, so its container check and request totals are kept.
/// </summary>
public sealed class CosmosCardSets : ICardSets, IDisposable
{
    private readonly CosmosClient _client;
    private readonly bool _ownsClient;
    private readonly CosmosCardStoreOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly TimeProvider? _time;
    private readonly Dictionary<string, CosmosCardStore> _open = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <param name="client">A client made by <see cref="CosmosCardStore.CreateClient"/> (or with <see cref="CosmosCardStore.ClientOptions"/>).</param>
    /// <param name="ownsClient">Whether <see cref="Dispose"/> disposes <paramref name="client"/>; the stores never do.</param>
    public CosmosCardSets(CosmosClient client, CosmosCardStoreOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? time = null, bool ownsClient = false)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _loggerFactory = loggerFactory;
        _time = time;
        _ownsClient = ownsClient;
    }

    /// <summary>The set's store; nothing is read until the store is first used, so this does no I/O.</summary>
    public Task<ICardStore> OpenAsync(string cardSet, CancellationToken cancellationToken)
    {
        CardSetNames.Check(cardSet, nameof(cardSet));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_open.TryGetValue(cardSet, out var store))
            {
                store = new CosmosCardStore(_client, _options, _loggerFactory?.CreateLogger<CosmosCardStore>(), _time, ownsClient: false, cardSet: cardSet);
                _open[cardSet] = store;
            }
            return Task.FromResult<ICardStore>(store);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var store in _open.Values) store.Dispose();
            _open.Clear();
        }
        if (_ownsClient) _client.Dispose();
    }
}

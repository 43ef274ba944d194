using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Urm.Azure.Cosmos;
using Urm.Core.Profiles;

namespace Urm.Azure.Tests.Servers;

/// <summary>
/// One test's database on the Cosmos DB stand-in, and stores over it. The stand-in's limits are met here,
/// in the client's transport settings, never in the store: Gateway mode (it speaks only the REST
/// gateway protocol), LimitToEndpoint (its account document names no other regions to discover), bulk
/// off (it has no batch API), and a transport that accepts its self-signed certificate.
/// </summary>
public sealed class CosmosStandIn : IAsyncDisposable
{
    // The emulators' published well-known key: the stand-in checks no signature, but the SDK needs base64.
    private const string Key = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private readonly List<CosmosClient> _clients = [];

    private CosmosStandIn(string database) => Database = database;

    public string Database { get; }

    public const string Container = "cards";

    /// <summary>Creates a fresh database with a cards container keyed by /pk (what bicep/modules/cosmos.bicep deploys).</summary>
    public static async Task<CosmosStandIn> CreateAsync()
    {
        var standIn = new CosmosStandIn("urm-test-" + Guid.NewGuid().ToString("N")[..12]);
        var client = standIn.Client(new StandInTransport(), standIn.Options());
        var database = (await client.CreateDatabaseIfNotExistsAsync(standIn.Database)).Database;
        await database.CreateContainerIfNotExistsAsync(new ContainerProperties(Container, "/pk"));
        return standIn;
    }

    public CosmosCardStoreOptions Options(Action<CosmosCardStoreOptions>? change = null)
    {
        var options = new CosmosCardStoreOptions
        {
            ConnectionString = $"AccountEndpoint={TestServers.RequireCosmos()};AccountKey={Key};",
            Database = Database,
            Container = Container,
            BulkExecution = false,
            WriteConcurrency = 8,
        };
        change?.Invoke(options);
        return options;
    }

    /// <summary>Another container in this test's database.</summary>
    public async Task CreateContainerAsync(ContainerProperties properties)
        => await _clients[0].GetDatabase(Database).CreateContainerIfNotExistsAsync(properties);

    /// <summary>A store with its own client (another process, as far as the server can tell).</summary>
    public CosmosCardStore Store(CosmosCardStoreOptions? options = null, StandInTransport? transport = null, ILogger<CosmosCardStore>? logger = null, TimeProvider? time = null, string cardSet = "")
    {
        options ??= Options();
        return new CosmosCardStore(Client(transport ?? new StandInTransport(), options), options, logger, time, cardSet: cardSet);
    }

    /// <summary>The container's card sets over a client of their own.</summary>
    public CosmosCardSets Sets(CosmosCardStoreOptions? options = null)
    {
        options ??= Options();
        return new CosmosCardSets(Client(new StandInTransport(), options), options);
    }

    /// <summary>
    /// A profile store over this database's profiles container (created keyed by /pk with TTL on and no
    /// default, as bicep/modules/cosmos.bicep deploys it), with a client of its own.
    /// </summary>
    public async Task<CosmosProfileStore> ProfileStoreAsync(ProfileOptions? profiles = null, TimeProvider? time = null)
    {
        var options = Options();
        var client = Client(new StandInTransport(), options);
        await client.GetDatabase(Database).CreateContainerIfNotExistsAsync(new ContainerProperties(ProfilesContainer, "/pk") { DefaultTimeToLive = -1 });
        return new CosmosProfileStore(client, options, new CosmosProfileStoreOptions { Container = ProfilesContainer }, profiles, time: time);
    }

    public const string ProfilesContainer = "profiles";

    /// <summary>A recommendation log over this database's container `recommendations` (made here as bicep/modules/cosmos.bicep makes it: /pk, TTL on, no default).</summary>
    public async Task<CosmosRecommendationLog> RecommendationLogAsync(TimeSpan? ttl = null)
    {
        var options = Options();
        var client = Client(new StandInTransport(), options);
        await client.GetDatabase(Database).CreateContainerIfNotExistsAsync(new ContainerProperties(RecommendationsContainer, "/pk") { DefaultTimeToLive = -1 });
        return new CosmosRecommendationLog(client, options, new CosmosRecommendationLogOptions { Container = RecommendationsContainer, Ttl = ttl ?? TimeSpan.Zero });
    }

    public const string RecommendationsContainer = "recommendations";

    /// <summary>The client this test's database was made with, to make more databases beside it.</summary>
    public CosmosClient RawClient() => _clients[0];

    /// <summary>The cards container itself, to read documents as stored rather than through a store.</summary>
    public Microsoft.Azure.Cosmos.Container Raw() => _clients[0].GetDatabase(Database).GetContainer(Container);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_clients.Count > 0) await _clients[0].GetDatabase(Database).DeleteAsync();
        }
        catch (CosmosException)
        {
        }
        foreach (var client in _clients) client.Dispose();
    }

    private CosmosClient Client(StandInTransport transport, CosmosCardStoreOptions options)
    {
        var client = CosmosCardStore.CreateClient(options, configure: o =>
        {
            o.ConnectionMode = ConnectionMode.Gateway;
            o.LimitToEndpoint = true;
            o.HttpClientFactory = () => new HttpClient(transport, disposeHandler: false);
            // The first connection (account read) must not wait on the SDK's default 65 s when the server is absent.
            o.RequestTimeout = TimeSpan.FromSeconds(20);
        });
        _clients.Add(client);
        return client;
    }
}

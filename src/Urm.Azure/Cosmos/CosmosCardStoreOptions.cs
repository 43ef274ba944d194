namespace Urm.Azure.Cosmos;

/// <summary>
/// Settings <c>CardStore__*</c> (docs/SETTINGS.md, "Cosmos DB card store"): where the cards container is
/// and how hard the store may push it. Bound from configuration; checked by <see cref="CosmosCardStoreOptionsValidator"/>.
/// </summary>
public sealed class CosmosCardStoreOptions
{
    public const string Section = "CardStore";

    /// <summary>The account endpoint; the store signs in with the app's identity (DefaultAzureCredential).</summary>
    public Uri? CosmosEndpoint { get; set; }

    /// <summary>
    /// A key-based connection string, for emulators only (Azure accounts of this app have local auth
    /// disabled). Takes precedence over <see cref="CosmosEndpoint"/> when set.
    /// </summary>
    public string? ConnectionString { get; set; }

    public string Database { get; set; } = "urm";

    public string Container { get; set; } = "cards";

    /// <summary>
    /// The SDK's bulk mode: concurrent point writes are packed into one request per partition. On in
    /// Azure; off for servers without bulk (the stand-in). The store's code is the same either way.
    /// </summary>
    public bool BulkExecution { get; set; } = true;

    /// <summary>Point writes (or reads) in flight at once within one store call.</summary>
    public int WriteConcurrency { get; set; } = 64;

    /// <summary>Partition buckets queried at once when loading cards.</summary>
    public int ReadConcurrency { get; set; } = 8;

    /// <summary>Retries of one request answered 429, 449, 503 or 408 before the call fails.</summary>
    public int MaxRetries { get; set; } = 9;

    /// <summary>The longest single wait between retries, whatever the server's retry-after says.</summary>
    public TimeSpan MaxRetryWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a write's reserved catalog version holds back readers before it is presumed abandoned
    /// (a writer that crashed). A write that runs longer than half of it is written again under a new
    /// version, so no reader can have skipped it (see <see cref="CosmosCardStore"/>).
    /// </summary>
    public TimeSpan WriteLease { get; set; } = TimeSpan.FromMinutes(5);
}

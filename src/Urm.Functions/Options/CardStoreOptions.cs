using Microsoft.Extensions.Configuration;

namespace Urm.Functions.Options;

/// <summary>
/// Setting <c>CardStore__Kind</c> (docs/SETTINGS.md): which card store the app reads and writes. The
/// Cosmos DB settings of the same section are bound by the adapter (<see cref="Urm.Azure.Cosmos.CosmosCardStoreOptions"/>).
/// </summary>
public sealed class CardStoreOptions
{
    public const string Section = "CardStore";
    public const string Sqlite = "sqlite";
    public const string Cosmos = "cosmos";

    /// <summary><c>cosmos</c> in Azure, <c>sqlite</c> for local runs (a file under the app's local storage).</summary>
    public string Kind { get; set; } = Sqlite;

    public static bool IsCosmos(IConfiguration configuration)
        => string.Equals(configuration[$"{Section}:{nameof(Kind)}"]?.Trim(), Cosmos, StringComparison.OrdinalIgnoreCase);
}

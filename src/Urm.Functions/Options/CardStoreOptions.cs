namespace Urm.Functions.Options;

/// <summary>Settings <c>CardStore__*</c> (docs/SETTINGS.md): which card store the app reads and writes.</summary>
public sealed class CardStoreOptions
{
    public const string Section = "CardStore";
    public const string Sqlite = "sqlite";
    public const string Cosmos = "cosmos";

    /// <summary><c>cosmos</c> in Azure, <c>sqlite</c> for local runs (a file under the app's local storage).</summary>
    public string Kind { get; set; } = Sqlite;

    public string? CosmosEndpoint { get; set; }

    public string Database { get; set; } = "urm";

    public string Container { get; set; } = "cards";
}

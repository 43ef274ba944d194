using System.Text.Json.Nodes;

namespace Urm.Infra.Tests;

/// <summary>
/// The resources and outputs `bicep snapshot` predicts for one parameter file: the template's
/// expressions evaluated for that plan, except values only known after deployment
/// (those stay as `[reference(...)]` strings).
/// </summary>
public sealed class PlanSnapshot(string plan, JsonObject snapshot)
{
    public string Plan { get; } = plan;

    // Unescaped (' stays ', not \u0027), so scans read expressions as the template has them.
    public string Text { get; } = snapshot.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public IReadOnlyList<JsonObject> Resources { get; } =
        snapshot["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList();

    public JsonObject Outputs { get; } = snapshot["outputs"]!.AsObject();

    public JsonArray Diagnostics { get; } = snapshot["diagnostics"]!.AsArray();

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Single(string type) => Assert.Single(OfType(type));

    public JsonObject FunctionApp => Single("Microsoft.Web/sites");

    /// <summary>The function app's settings, name to value (values may be unevaluated references).</summary>
    public IReadOnlyDictionary<string, string> AppSettings =>
        FunctionApp["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => s!["value"]!.ToString());

    /// <summary>
    /// The storage account behind the app's <c>CatalogStorage</c> connection (its queue endpoint names it):
    /// the data account, where the blob containers and the catalog chunk queues are.
    /// </summary>
    public JsonObject DataAccount
    {
        get
        {
            var queueServiceUri = AppSettings["CatalogStorage__queueServiceUri"];
            return Assert.Single(OfType("Microsoft.Storage/storageAccounts"),
                a => queueServiceUri.Contains($"'{(string)a["name"]!}'", StringComparison.Ordinal)
                    || queueServiceUri.StartsWith($"https://{(string)a["name"]!}.queue.", StringComparison.Ordinal));
        }
    }

    public override string ToString() => Plan;
}

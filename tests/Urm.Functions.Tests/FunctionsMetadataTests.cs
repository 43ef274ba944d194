using System.Text.Json;

namespace Urm.Functions.Tests;

/// <summary>The Functions host cannot run here: the generated functions.metadata is what it would read, so assert on that.</summary>
public sealed class FunctionsMetadataTests
{
    private static readonly Dictionary<string, JsonElement> Functions = Load();

    private static Dictionary<string, JsonElement> Load()
    {
        var file = Path.Combine(Repository.AppOutput(), "functions.metadata");
        Assert.True(File.Exists(file), $"{file} is missing: build src/Urm.Functions first.");
        return JsonDocument.Parse(File.ReadAllText(file)).RootElement.EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("bindings")[0]);
    }

    [Fact]
    public void The_app_has_exactly_the_eleven_functions()
        => Assert.Equal(["ActivateModel", "DeleteUser", "EncodeCatalog", "EncodeChunk", "FailChunk", "GetItem", "GetKpi", "GetUser", "Health", "PostEvents", "Recommend"], Functions.Keys.Order().ToArray());

    [Theory]
    [InlineData("Recommend", "post", "recommend", "Function")]
    [InlineData("GetItem", "get", "items/{id}", "Function")]
    [InlineData("Health", "get", "health", "Anonymous")]
    [InlineData("PostEvents", "post", "events", "Function")]
    [InlineData("GetUser", "get", "users/{id}", "Function")]
    [InlineData("DeleteUser", "delete", "users/{id}", "Function")]
    [InlineData("GetKpi", "get", "kpi", "Function")]
    public void Http_functions_have_the_shared_routes_methods_and_auth_levels(string name, string method, string route, string authLevel)
    {
        var trigger = Functions[name];
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToArray());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString());
        // Routes are the API's (/api/... with the host's default route prefix).
        Assert.Contains("/api/" + route, new[] { Urm.Http.Apis.UrmApi.RecommendRoute, Urm.Http.Apis.UrmApi.ItemRoute, Urm.Http.Apis.UrmApi.HealthRoute, Urm.Http.Apis.ProfileApi.EventsRoute, Urm.Http.Apis.ProfileApi.UserRoute, Urm.Http.Apis.KpiApi.KpiRoute });
    }

    [Theory]
    [InlineData("EncodeCatalog", "catalog/{name}")]
    [InlineData("ActivateModel", "models/active.json")]
    public void Blob_functions_are_event_grid_blob_triggers_over_the_catalog_storage_connection(string name, string path)
    {
        var trigger = Functions[name];
        Assert.Equal("blobTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(path, trigger.GetProperty("path").GetString());
        // The Bicep subscribes the blobs extension's webhook; a polling trigger would never get those events.
        Assert.Equal("EventGrid", trigger.GetProperty("source").GetString());
        Assert.Equal("CatalogStorage", trigger.GetProperty("connection").GetString());
    }

    [Theory]
    [InlineData("EncodeChunk", "catalog-chunks")]
    [InlineData("FailChunk", "catalog-chunks-poison")]
    public void Chunk_functions_are_queue_triggers_on_the_catalog_storage_connection(string name, string queue)
    {
        var trigger = Functions[name];
        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        // The names the Bicep creates (bicep/modules/storage.bicep); the poison queue is the host's "<queue>-poison".
        Assert.Equal(queue, trigger.GetProperty("queueName").GetString());
        Assert.Equal("CatalogStorage", trigger.GetProperty("connection").GetString());
    }

    [Fact]
    public void The_root_host_json_reaches_the_app_output()
    {
        var output = Path.Combine(Repository.AppOutput(), "host.json");
        Assert.True(File.Exists(output));
        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root(), "host.json")), File.ReadAllText(output));
        Assert.Equal("2.0", JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("version").GetString());
    }
}

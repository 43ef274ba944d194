namespace Urm.Infra.Tests;

/// <summary>The function app on each plan: HTTPS only, user-assigned identity, identity-based settings.</summary>
[Collection(CompiledTemplatesCollection.Name)]
public sealed class FunctionAppTests(CompiledTemplates compiled)
{
    public static TheoryData<string> Plans => new(CompiledTemplates.Plans);

    [Theory]
    [MemberData(nameof(Plans))]
    public void App_is_https_only_with_tls_1_2_and_no_ftp(string plan)
    {
        var properties = compiled.Snapshots[plan].FunctionApp["properties"]!;
        Assert.True((bool)properties["httpsOnly"]!);
        Assert.Equal("1.2", (string?)properties["siteConfig"]!["minTlsVersion"]);
        Assert.Equal("Disabled", (string?)properties["siteConfig"]!["ftpsState"]);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void App_runs_as_the_user_assigned_identity(string plan)
    {
        var snapshot = compiled.Snapshots[plan];
        var identityId = (string)snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        var app = snapshot.FunctionApp;
        Assert.Equal("UserAssigned", (string?)app["identity"]!["type"]);
        Assert.Equal([identityId], app["identity"]!["userAssignedIdentities"]!.AsObject().Select(i => i.Key));
        Assert.Equal(identityId, (string?)app["properties"]!["keyVaultReferenceIdentity"]);
    }

    [Fact]
    public void Premium_plan_is_linux_elastic_premium_running_dotnet_isolated_10()
    {
        var snapshot = compiled.Snapshots["premium"];
        var plan = snapshot.Single("Microsoft.Web/serverfarms");
        Assert.Equal("ElasticPremium", (string?)plan["sku"]!["tier"]);
        Assert.Equal("EP1", (string?)plan["sku"]!["name"]);
        Assert.True((bool)plan["properties"]!["reserved"]!);
        var app = snapshot.FunctionApp;
        Assert.Equal("functionapp,linux", (string?)app["kind"]);
        Assert.Equal("DOTNET-ISOLATED|10.0", (string?)app["properties"]!["siteConfig"]!["linuxFxVersion"]);
        Assert.Empty(snapshot.OfType("Microsoft.App/managedEnvironments"));
        Assert.Empty(snapshot.OfType("Microsoft.ContainerRegistry/registries"));
    }

    [Fact]
    public void Gpu_plan_is_functions_on_container_apps_with_a_gpu_profile_and_a_private_registry()
    {
        var snapshot = compiled.Snapshots["gpu"];
        var environment = snapshot.Single("Microsoft.App/managedEnvironments");
        var profiles = environment["properties"]!["workloadProfiles"]!.AsArray();
        var gpuProfile = Assert.Single(profiles, p => ((string)p!["workloadProfileType"]!).Contains("GPU", StringComparison.Ordinal));

        var app = snapshot.FunctionApp;
        Assert.Equal("functionapp,linux,container,azurecontainerapps", (string?)app["kind"]);
        Assert.Equal((string?)environment["id"], (string?)app["properties"]!["managedEnvironmentId"]);
        Assert.Equal((string?)gpuProfile!["name"], (string?)app["properties"]!["workloadProfileName"]);
        Assert.True((bool)app["properties"]!["siteConfig"]!["acrUseManagedIdentityCreds"]!);
        Assert.StartsWith("DOCKER|", (string?)app["properties"]!["siteConfig"]!["linuxFxVersion"]);

        var registry = snapshot.Single("Microsoft.ContainerRegistry/registries");
        Assert.False((bool)registry["properties"]!["adminUserEnabled"]!);
        Assert.Empty(snapshot.OfType("Microsoft.Web/serverfarms"));
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Storage_and_cosmos_settings_are_identity_based(string plan)
    {
        var settings = compiled.Snapshots[plan].AppSettings;

        // The only connection string is Application Insights' (no key in it; see SecretTests).
        Assert.Equal(["APPLICATIONINSIGHTS_CONNECTION_STRING"],
            settings.Keys.Where(k => k.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase)
                                     || k.Contains("CONNECTION_STRING", StringComparison.Ordinal)));
        Assert.DoesNotContain("APPINSIGHTS_INSTRUMENTATIONKEY", settings.Keys);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);

        // Every storage connection names its account or endpoints, its credential and its identity.
        foreach (var connection in new[] { "AzureWebJobsStorage", "CatalogStorage" })
        {
            var keys = settings.Keys.Where(k => k.StartsWith(connection + "__", StringComparison.Ordinal)).ToList();
            Assert.Contains(keys, k => k.EndsWith("__accountName", StringComparison.Ordinal)
                                       || k.EndsWith("__blobServiceUri", StringComparison.Ordinal));
            Assert.Equal("managedidentity", settings[connection + "__credential"]);
            Assert.Contains("userAssignedIdentities", settings[connection + "__clientId"], StringComparison.Ordinal);
        }
        // environment().suffixes.storage is evaluated at deployment; the scheme is fixed here.
        Assert.Contains("https://", settings["CatalogStorage__blobServiceUri"], StringComparison.Ordinal);
        Assert.Contains("https://", settings["CatalogStorage__queueServiceUri"], StringComparison.Ordinal);

        Assert.Equal("cosmos", settings["CardStore__Kind"]);
        Assert.Contains("documentEndpoint", settings["CardStore__CosmosEndpoint"], StringComparison.Ordinal);
        Assert.Equal("urm", settings["CardStore__Database"]);
        Assert.Equal("cards", settings["CardStore__Container"]);
        Assert.Equal("models", settings["Models__Container"]);
        Assert.Contains("userAssignedIdentities", settings["AZURE_CLIENT_ID"], StringComparison.Ordinal);
        Assert.Contains("ConnectionString", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], StringComparison.Ordinal);
        Assert.Equal("~4", settings["FUNCTIONS_EXTENSION_VERSION"]);
        Assert.Equal("dotnet-isolated", settings["FUNCTIONS_WORKER_RUNTIME"]);
    }

    [Theory]
    [InlineData("premium", "cpu")]
    [InlineData("gpu", "cuda")]
    public void Onnx_execution_provider_matches_the_plan(string plan, string provider) =>
        Assert.Equal(provider, compiled.Snapshots[plan].AppSettings["Onnx__ExecutionProvider"]);

    [Fact]
    public void Both_plans_set_the_same_setting_names() =>
        Assert.Equal(compiled.Snapshots["premium"].AppSettings.Keys.Order(), compiled.Snapshots["gpu"].AppSettings.Keys.Order());
}

namespace Urm.Infra.Tests;

/// <summary>Storage and Cosmos DB accept Microsoft Entra ID only, over TLS 1.2, with nothing public.</summary>
[Collection(CompiledTemplatesCollection.Name)]
public sealed class DataStoreTests(CompiledTemplates compiled)
{
    public static TheoryData<string> Plans => new(CompiledTemplates.Plans);

    [Theory]
    [MemberData(nameof(Plans))]
    public void Storage_account_is_locked_down(string plan)
    {
        var properties = compiled.Snapshots[plan].Single("Microsoft.Storage/storageAccounts")["properties"]!;
        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Blob_and_container_soft_delete_are_on(string plan)
    {
        var properties = compiled.Snapshots[plan].Single("Microsoft.Storage/storageAccounts/blobServices")["properties"]!;
        Assert.True((bool)properties["deleteRetentionPolicy"]!["enabled"]!);
        Assert.True((bool)properties["containerDeleteRetentionPolicy"]!["enabled"]!);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Blob_containers_exist(string plan)
    {
        var snapshot = compiled.Snapshots[plan];
        var containers = snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Select(c => ((string)c["name"]!).Split('/')[^1]);
        Assert.Equal(["catalog", "catalog-reports", "catalog-runs", "event-deadletter", "events", "features", "models"], containers.Order());
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Catalog_run_files_expire_and_nothing_else_does(string plan)
    {
        var rules = compiled.Snapshots[plan].Single("Microsoft.Storage/storageAccounts/managementPolicies")["properties"]!["policy"]!["rules"]!.AsArray();
        var rule = Assert.Single(rules)!;
        Assert.Equal(["catalog-runs/"], rule["definition"]!["filters"]!["prefixMatch"]!.AsArray().Select(p => (string)p!));
        Assert.Equal(7, (int)rule["definition"]!["actions"]!["baseBlob"]!["delete"]!["daysAfterModificationGreaterThan"]!);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Catalog_chunk_queues_exist_in_the_data_account(string plan)
    {
        // Declared, not left to the app: the workers' trigger and the poison reader need fixed names, and
        // the poison queue is the one the host derives ('<queue>-poison').
        var snapshot = compiled.Snapshots[plan];
        var dataAccountId = (string)snapshot.DataAccount["id"]!;
        var queues = snapshot.OfType("Microsoft.Storage/storageAccounts/queueServices/queues").ToList();
        Assert.Equal(["catalog-chunks", "catalog-chunks-poison"], queues.Select(q => ((string)q["name"]!).Split('/')[^1]).Order());
        Assert.All(queues, q => Assert.StartsWith($"{dataAccountId}/queueServices/default/queues/", (string)q["id"]!));
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Cosmos_account_disables_keys_and_uses_session_consistency(string plan)
    {
        var properties = compiled.Snapshots[plan].Single("Microsoft.DocumentDB/databaseAccounts")["properties"]!;
        Assert.True((bool)properties["disableLocalAuth"]!);
        Assert.Equal("Session", (string?)properties["consistencyPolicy"]!["defaultConsistencyLevel"]);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Cards_container_is_partitioned_on_pk(string plan)
    {
        var snapshot = compiled.Snapshots[plan];
        Assert.EndsWith("/urm", (string)snapshot.Single("Microsoft.DocumentDB/databaseAccounts/sqlDatabases")["name"]!);
        var cards = Container(snapshot, "cards");
        Assert.Equal("/pk", (string?)cards["properties"]!["resource"]!["partitionKey"]!["paths"]![0]);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Profiles_container_is_partitioned_on_pk_with_ttl_on_and_named_in_the_app_settings(string plan)
    {
        var snapshot = compiled.Snapshots[plan];
        var resource = Container(snapshot, "profiles")["properties"]!["resource"]!;
        Assert.Equal("/pk", (string?)resource["partitionKey"]!["paths"]![0]);
        // -1: TTL on, no default; only events written with a ttl (Profiles__EventTtl) expire.
        Assert.Equal(-1, (int)resource["defaultTtl"]!);
        Assert.Equal("/pk/?", (string?)resource["indexingPolicy"]!["includedPaths"]![0]!["path"]);
        Assert.Equal("profiles", snapshot.AppSettings["Profiles__Container"]);
        Assert.Equal(["cards", "profiles", "recommendations"], snapshot.OfType("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers").Select(c => ((string)c["name"]!).Split('/')[^1]).Order());
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Recommendations_container_is_partitioned_on_pk_with_ttl_on_indexes_time_and_is_named_in_the_app_settings(string plan)
    {
        var snapshot = compiled.Snapshots[plan];
        var resource = Container(snapshot, "recommendations")["properties"]!["resource"]!;
        Assert.Equal("/pk", (string?)resource["partitionKey"]!["paths"]![0]);
        // -1: TTL on, no default; each record carries its own ttl (Recommendations__Ttl).
        Assert.Equal(-1, (int)resource["defaultTtl"]!);
        // A KPI range selects on ticks within each partition.
        Assert.Equal(["/pk/?", "/ticks/?"], resource["indexingPolicy"]!["includedPaths"]!.AsArray().Select(p => (string)p!["path"]!));
        Assert.Equal("recommendations", snapshot.AppSettings["Recommendations__Container"]);
    }

    private static System.Text.Json.Nodes.JsonObject Container(PlanSnapshot snapshot, string name)
        => Assert.Single(snapshot.OfType("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers"), c => ((string)c["name"]!).EndsWith($"/urm/{name}", StringComparison.Ordinal));

    [Fact]
    public void Cosmos_capacity_follows_the_parameter_files()
    {
        // premium.bicepparam: serverless; gpu.bicepparam: autoscale with a maximum.
        var serverless = compiled.Snapshots["premium"].Single("Microsoft.DocumentDB/databaseAccounts");
        Assert.Contains("EnableServerless", serverless["properties"]!["capabilities"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.All(compiled.Snapshots["gpu"].OfType("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers"),
            autoscale => Assert.Equal(1000, (int)autoscale["properties"]!["options"]!["autoscaleSettings"]!["maxThroughput"]!));
    }
}

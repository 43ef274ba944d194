using System.Text.Json.Nodes;

namespace Urm.Infra.Tests;

/// <summary>
/// Blob events reach the app's blob triggers (Event Grid source) through the blobs extension's webhook.
/// deploy.sh deploys twice: the topic first, the subscriptions once the published app has its key.
/// </summary>
[Collection(CompiledTemplatesCollection.Name)]
public sealed class EventGridTests(CompiledTemplates compiled)
{
    public static TheoryData<string> Plans => new(CompiledTemplates.Plans);

    [Theory]
    [MemberData(nameof(Plans))]
    public void System_topic_watches_the_storage_account(string plan)
    {
        foreach (var snapshot in new[] { compiled.Snapshots[plan], compiled.SecondPassSnapshots[plan] })
        {
            var topic = snapshot.Single("Microsoft.EventGrid/systemTopics");
            Assert.Equal((string?)snapshot.Single("Microsoft.Storage/storageAccounts")["id"], (string?)topic["properties"]!["source"]);
            Assert.Equal("Microsoft.Storage.StorageAccounts", (string?)topic["properties"]!["topicType"]);
        }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void The_first_pass_subscribes_nothing_before_the_app_has_its_key(string plan)
        => Assert.Empty(compiled.Snapshots[plan].OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions"));

    [Theory]
    [MemberData(nameof(Plans))]
    public void The_second_pass_sends_catalog_and_model_pointer_uploads_to_the_blob_triggers(string plan)
    {
        var snapshot = compiled.SecondPassSnapshots[plan];
        var appId = (string)snapshot.FunctionApp["id"]!;
        var routes = snapshot.OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions")
            .Select(s => s["properties"]!)
            .Select(p =>
            {
                Assert.Equal(["Microsoft.Storage.BlobCreated"],
                    p["filter"]!["includedEventTypes"]!.AsArray().Select(t => (string)t!));
                var destination = p["destination"]!;
                Assert.Equal("WebHook", (string?)destination["endpointType"]);
                var url = (string)destination["properties"]!["endpointUrl"]!;
                // The blobs extension's endpoint on this app, keyed with its blobs_extension system key read at deployment.
                Assert.Contains("'https://{0}/runtime/webhooks/blobs?functionName=Host.Functions.{1}&code={2}'", url);
                Assert.Contains($"listKeys('{appId}/host/default',", url);
                Assert.EndsWith(".systemKeys.blobs_extension)]", url);
                var function = url.Split(", '")[2].Split('\'')[0];
                return ((string)p["filter"]!["subjectBeginsWith"]!, function);
            })
            .Order()
            .ToList();
        // The function names are the app's (FunctionsMetadataTests checks their blob paths).
        Assert.Equal(
            [
                ("/blobServices/default/containers/catalog/", "EncodeCatalog"),
                ("/blobServices/default/containers/models/blobs/active.json", "ActivateModel"),
            ],
            routes);
    }

    // Blob names as Event Grid's BlobCreated subject spells them, and the function each must start
    // (null: no subscription delivers it). Catalog extensions are the ones the app reads (CatalogFormats).
    public static TheoryData<string, string, string?> Uploads => new()
    {
        { "premium", "catalog/catalog.jsonl", "EncodeCatalog" },
        { "premium", "catalog/shop-a/catalog.csv", "EncodeCatalog" },
        { "premium", "catalog/shop-a/CATALOG.CSV", "EncodeCatalog" },
        { "premium", "catalog/export.ndjson", "EncodeCatalog" },
        { "premium", "catalog/export.json", "EncodeCatalog" },
        { "premium", "catalog/images/sku-1.jpg", null },
        { "premium", "catalog/shop-a/images/sku-1.png", null },
        { "premium", "catalog/catalog.jsonl.tmp", null },
        { "premium", "catalog/readme.txt", null },
        { "premium", "catalog-reports/catalog.json", null },
        { "premium", "features/ab/abcdef.json", null },
        { "premium", "models/active.json", "ActivateModel" },
        { "premium", "models/active.json.bak", null },
        { "premium", "models/2026-11-01/manifest.json", null },
        { "premium", "models/2026-11-01/active.json", null },
        { "gpu", "catalog/catalog.jsonl", "EncodeCatalog" },
        { "gpu", "catalog/images/sku-1.jpg", null },
        { "gpu", "models/active.json", "ActivateModel" },
        { "gpu", "models/active.json.bak", null },
    };

    [Theory]
    [MemberData(nameof(Uploads))]
    public void Only_catalog_files_and_the_model_pointer_start_a_function(string plan, string blob, string? function)
    {
        var separator = blob.IndexOf('/');
        var subject = $"/blobServices/default/containers/{blob[..separator]}/blobs/{blob[(separator + 1)..]}";
        var started = compiled.SecondPassSnapshots[plan].OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions")
            .Select(s => s["properties"]!)
            .Where(p => Delivers(p["filter"]!.AsObject(), "Microsoft.Storage.BlobCreated", subject))
            .Select(p => ((string)p["destination"]!["properties"]!["endpointUrl"]!).Split(", '")[2].Split('\'')[0])
            .ToList();
        Assert.Equal(function is null ? [] : [function], started);
    }

    /// <summary>
    /// Event Grid's filter as documented for the filter properties the template may use: every condition
    /// must hold; subject and string comparisons ignore case unless isSubjectCaseSensitive (subject
    /// prefix and suffix only); a StringEndsWith advanced filter holds when the key's value ends with any
    /// of its values. Any other filter property or operator fails the test rather than being ignored.
    /// </summary>
    private static bool Delivers(JsonObject filter, string eventType, string subject)
    {
        var known = new[] { "includedEventTypes", "subjectBeginsWith", "subjectEndsWith", "isSubjectCaseSensitive", "advancedFilters" };
        Assert.All(filter.Select(p => p.Key), key => Assert.Contains(key, known));
        var subjectComparison = (bool?)filter["isSubjectCaseSensitive"] == true ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

        if (filter["includedEventTypes"] is JsonArray types && !types.Any(t => string.Equals((string)t!, eventType, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }
        if (filter["subjectBeginsWith"] is JsonNode begins && !subject.StartsWith((string)begins!, subjectComparison))
        {
            return false;
        }
        if (filter["subjectEndsWith"] is JsonNode ends && !subject.EndsWith((string)ends!, subjectComparison))
        {
            return false;
        }
        foreach (var advanced in filter["advancedFilters"]?.AsArray() ?? [])
        {
            Assert.Equal("StringEndsWith", (string?)advanced!["operatorType"]);
            Assert.Equal("subject", (string?)advanced["key"]);
            var values = advanced["values"]!.AsArray().Select(v => (string)v!).ToList();
            Assert.NotEmpty(values);
            if (!values.Any(v => subject.EndsWith(v, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }
        return true;
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Catalog_uploads_are_filtered_on_the_catalog_extensions(string plan)
    {
        var catalog = compiled.SecondPassSnapshots[plan].OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions")
            .Single(s => ((string)s["name"]!).EndsWith("/catalog-uploads", StringComparison.Ordinal));
        var advanced = Assert.Single(catalog["properties"]!["filter"]!["advancedFilters"]!.AsArray())!;
        Assert.Equal("StringEndsWith", (string?)advanced["operatorType"]);
        Assert.Equal("subject", (string?)advanced["key"]);
        Assert.Equal([".csv", ".json", ".jsonl", ".ndjson"], advanced["values"]!.AsArray().Select(v => (string)v!).Order());
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void The_topic_has_its_own_identity_for_dead_letters(string plan)
    {
        foreach (var snapshot in new[] { compiled.Snapshots[plan], compiled.SecondPassSnapshots[plan] })
        {
            Assert.Equal("SystemAssigned", (string?)snapshot.Single("Microsoft.EventGrid/systemTopics")["identity"]!["type"]);
        }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Undeliverable_events_are_dead_lettered_to_their_container_with_the_topic_identity(string plan)
    {
        var snapshot = compiled.SecondPassSnapshots[plan];
        var storageId = (string)snapshot.Single("Microsoft.Storage/storageAccounts")["id"]!;
        var container = DeadLetterContainer(snapshot);
        var subscriptions = snapshot.OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions").ToList();
        Assert.Equal(2, subscriptions.Count);
        foreach (var properties in subscriptions.Select(s => s["properties"]!))
        {
            // No key-based (Event Grid's own) dead-letter destination: the account has shared keys off.
            Assert.Null(properties["deadLetterDestination"]);
            var deadLetter = properties["deadLetterWithResourceIdentity"]!;
            Assert.Equal("SystemAssigned", (string?)deadLetter["identity"]!["type"]);
            Assert.Null(deadLetter["identity"]!["userAssignedIdentity"]);
            var destination = deadLetter["deadLetterDestination"]!;
            Assert.Equal("StorageBlob", (string?)destination["endpointType"]);
            Assert.Equal(storageId, (string?)destination["properties"]!["resourceId"]);
            Assert.Equal(container.Name, (string?)destination["properties"]!["blobContainerName"]);

            // Retried with back-off for up to a day (Event Grid's most) before an event is dead-lettered.
            Assert.Equal(30, (int)properties["retryPolicy"]!["maxDeliveryAttempts"]!);
            Assert.Equal(1440, (int)properties["retryPolicy"]!["eventTimeToLiveInMinutes"]!);
        }
    }

    /// <summary>The blob container Event Grid writes dead letters to: its resource id and name.</summary>
    public static (string Id, string Name) DeadLetterContainer(PlanSnapshot snapshot)
    {
        var container = Assert.Single(snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            c => ((string)c["name"]!).EndsWith("/event-deadletter", StringComparison.Ordinal));
        return ((string)container["id"]!, ((string)container["name"]!).Split('/')[^1]);
    }
}

namespace Urm.Infra.Tests;

/// <summary>Blob events reach the app through storage queues, delivered with the managed identity.</summary>
[Collection(CompiledTemplatesCollection.Name)]
public sealed class EventGridTests(CompiledTemplates compiled)
{
    public static TheoryData<string> Plans => new(CompiledTemplates.Plans);

    [Theory]
    [MemberData(nameof(Plans))]
    public void System_topic_watches_the_storage_account(string plan)
    {
        var snapshot = compiled.Snapshots[plan];
        var topic = snapshot.Single("Microsoft.EventGrid/systemTopics");
        Assert.Equal((string?)snapshot.Single("Microsoft.Storage/storageAccounts")["id"], (string?)topic["properties"]!["source"]);
        Assert.Equal("Microsoft.Storage.StorageAccounts", (string?)topic["properties"]!["topicType"]);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Blob_created_events_for_catalog_and_model_pointer_go_to_queues(string plan)
    {
        var snapshot = compiled.Snapshots[plan];
        var storageId = (string)snapshot.Single("Microsoft.Storage/storageAccounts")["id"]!;
        var routes = snapshot.OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions")
            .Select(s => s["properties"]!)
            .Select(p =>
            {
                Assert.Equal(["Microsoft.Storage.BlobCreated"],
                    p["filter"]!["includedEventTypes"]!.AsArray().Select(t => (string)t!));
                var delivery = p["deliveryWithResourceIdentity"]!;
                Assert.Equal("UserAssigned", (string?)delivery["identity"]!["type"]);
                Assert.Equal("StorageQueue", (string?)delivery["destination"]!["endpointType"]);
                Assert.Equal(storageId, (string?)delivery["destination"]!["properties"]!["resourceId"]);
                return ((string)p["filter"]!["subjectBeginsWith"]!, (string)delivery["destination"]!["properties"]!["queueName"]!);
            })
            .Order()
            .ToList();
        Assert.Equal(
            [
                ("/blobServices/default/containers/catalog/", "catalog-events"),
                ("/blobServices/default/containers/models/blobs/active.json", "model-events"),
            ],
            routes);
    }
}

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
}

using Urm.Functions.Storage;

namespace Urm.Functions.Tests;

/// <summary>What the queue functions read: Event Grid BlobCreated events (Event Grid schema) and the model pointer.</summary>
public sealed class QueueMessageTests
{
    private const string CatalogEvent = """
        {"id": "1", "topic": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sturm",
         "subject": "/blobServices/default/containers/catalog/blobs/shop/catalog.jsonl",
         "eventType": "Microsoft.Storage.BlobCreated", "eventTime": "2026-11-28T10:00:00Z", "dataVersion": "", "metadataVersion": "1",
         "data": {"api": "PutBlob", "contentType": "application/x-ndjson", "blobType": "BlockBlob",
                  "url": "https://sturm.blob.core.windows.net/catalog/shop/catalog%20v2.jsonl"}}
        """;

    [Fact]
    public void A_blob_created_event_names_the_container_and_blob()
    {
        var created = BlobCreatedEvent.Parse(CatalogEvent);
        Assert.Equal("catalog", created.Container);
        Assert.Equal("shop/catalog v2.jsonl", created.BlobName);
        Assert.Equal("shop/catalog v2.json", BlobCatalogEncoder.ReportName(created.BlobName));
    }

    [Fact]
    public void An_array_of_one_event_and_an_emulator_url_are_read()
    {
        Assert.Equal("catalog", BlobCreatedEvent.Parse("[" + CatalogEvent + "]").Container);
        var local = BlobCreatedEvent.FromUrl(new Uri("http://127.0.0.1:10000/devstoreaccount1/models/active.json"));
        Assert.Equal(("models", "active.json"), (local.Container, local.BlobName));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"data": {"url": 5}}""")]
    [InlineData("""{"data": {"url": "https://sturm.blob.core.windows.net/only-a-container"}}""")]
    public void A_message_that_is_not_a_blob_event_is_a_format_error(string message)
        => Assert.Throws<FormatException>(() => BlobCreatedEvent.Parse(message));

    [Theory]
    [InlineData("""{"version": "20261128-abc"}""", "20261128-abc")]
    [InlineData("""{"version": "v3/"}""", "v3")]
    public void The_pointer_names_a_version(string json, string version)
        => Assert.Equal(version, BlobModelActivator.ReadVersion(json));

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"version": ""}""")]
    [InlineData("""{"version": "../secrets"}""")]
    [InlineData("""{"version": 3}""")]
    [InlineData("nope")]
    public void A_bad_pointer_says_what_it_should_be(string json)
    {
        var error = Assert.Throws<FormatException>(() => BlobModelActivator.ReadVersion(json));
        Assert.Contains("{\"version\": \"<version>\"}", error.Message);
    }
}

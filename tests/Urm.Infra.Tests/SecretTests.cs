using System.Text.RegularExpressions;

namespace Urm.Infra.Tests;

/// <summary>No key, key-bearing connection string or secret appears in the templates or their outputs.</summary>
[Collection(CompiledTemplatesCollection.Name)]
public sealed class SecretTests(CompiledTemplates compiled)
{
    public static TheoryData<string> Plans => new(CompiledTemplates.Plans);

    // Functions and strings that only appear when a key or key-bearing connection string is read or written.
    private static readonly string[] KeyMarkers =
    [
        "listKeys", "listConnectionStrings", "listSecrets", "listCredentials", "listAdminKeys", "listQueryKeys",
        "AccountKey=", "SharedAccessSignature", "primaryMasterKey", "secondaryMasterKey", "primaryKey",
        "DefaultEndpointsProtocol", "primarySharedKey", "AccountEndpoint=", "InstrumentationKey",
    ];

    // The one key the templates read: the Functions host's blobs_extension system key, for Event Grid's
    // webhook to the blob triggers (events.bicep). Not a data-plane key: it only lets Event Grid call
    // the blobs extension endpoint, and it is read at deployment time, never stored or returned.
    private static readonly Regex BlobsExtensionKey = new(
        @"listKeys\((format\('\{0\}/host/default', resourceId\('Microsoft\.Web/sites', parameters\('functionAppName'\)\)\)|'/subscriptions/[^']+/providers/Microsoft\.Web/sites/[^'/]+/host/default'), '[0-9-]+'\)\.systemKeys\.blobs_extension");

    private static string WithoutBlobsExtensionKey(string text, int expected)
    {
        Assert.Equal(expected, BlobsExtensionKey.Matches(text).Count);
        return BlobsExtensionKey.Replace(text, "");
    }

    [Fact]
    public void Compiled_template_reads_and_writes_no_keys_but_the_blob_webhook_key()
    {
        var text = WithoutBlobsExtensionKey(compiled.TemplateText, expected: 1);
        foreach (var marker in KeyMarkers)
        {
            Assert.DoesNotContain(marker, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Predicted_resources_hold_no_keys(string plan)
    {
        // Second pass: the two webhook subscriptions (catalog, model pointer) read the blob webhook key.
        foreach (var (snapshot, webhookKeys) in new[] { (compiled.Snapshots[plan], 0), (compiled.SecondPassSnapshots[plan], 2) })
        {
            var text = WithoutBlobsExtensionKey(snapshot.Text, webhookKeys);
            foreach (var marker in KeyMarkers)
            {
                Assert.DoesNotContain(marker, text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Outputs_are_names_and_endpoints_only(string plan)
    {
        var outputs = compiled.Snapshots[plan].Outputs;
        var expected = new[]
        {
            "functionAppName", "functionAppUrl", "storageAccountName", "cosmosEndpoint", "registryLoginServer",
            "identityClientId",
        };
        Assert.Equal(expected.Order(), outputs.Select(o => o.Key).Order());
        foreach (var (name, value) in outputs)
        {
            Assert.DoesNotMatch("(?i)key|secret|password|token|connectionstring|sas", name);
            Assert.DoesNotMatch("(?i)\\blist[A-Z]|key=|sig=", value!.ToString());
        }
        // Template-level outputs: no secure types, no list* functions.
        foreach (var (name, output) in compiled.Template["outputs"]!.AsObject())
        {
            Assert.Equal("string", (string?)output!["type"]);
            Assert.DoesNotContain("list", output["value"]!.ToString(), StringComparison.Ordinal);
            _ = name;
        }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Url_output_is_https(string plan)
    {
        var url = compiled.Snapshots[plan].Outputs["functionAppUrl"]!.ToString();
        Assert.Contains("https://", url, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Urm.Azure.Tests.Servers;
using Urm.Core.Profiles;
using Urm.Functions.Triggers;
using Urm.Http.Serving;

namespace Urm.Functions.Tests;

/// <summary>
/// PostEvents, GetUser and DeleteUser as the app composes them (AddUrmFunctions with CardStore__Kind
/// cosmos), over the Cosmos DB stand-in's profiles container.
/// </summary>
public sealed class ProfileFunctionTests : IAsyncLifetime
{
    private CosmosStandIn _cosmos = null!;
    private BlobContainerClient _events = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _cosmos = await CosmosStandIn.CreateAsync();
        _services = await CosmosFunctionsApp.BuildAsync(_cosmos, new ProfileOptions { MaxEvents = 5 });
        _events = AzuriteBlobs.Client().GetBlobContainerClient(Urm.Azure.Blobs.BlobEventArchive.DefaultContainer);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _cosmos.DisposeAsync();
    }

    private ProfileServing Profiles => _services.GetRequiredService<ProfileServing>();

    private Task<(int Status, string? MediaType, string Body)> CallAsync(Func<HttpContext, Task<IActionResult>> function, string method, string? body = null)
        => FunctionCall.InvokeAsync(_services, function, method, body);

    private Task<(int Status, string? MediaType, string Body)> PostAsync(string body)
        => CallAsync(c => new PostEvents(Profiles).RunAsync(c.Request, default), "POST", body);

    private async Task<string[]> ItemsAsync(string user)
    {
        var (status, _, body) = await CallAsync(c => new GetUser(Profiles).RunAsync(c.Request, user, default), "GET");
        if (status == 404) return [];
        Assert.Equal(200, status);
        return JsonDocument.Parse(body).RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("itemId").GetString()!).ToArray();
    }

    /// <summary>Every line of the archive's blobs (the container is shared by the tests of this class: users differ).</summary>
    private async Task<string> ArchiveTextAsync()
    {
        var text = new System.Text.StringBuilder();
        await foreach (var blob in _events.GetBlobsAsync())
            text.Append((await _events.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString());
        return text.ToString();
    }

    private static string[] Statuses(string body)
        => JsonDocument.Parse(body).RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetString()!).ToArray();

    [Fact]
    public void The_app_registers_the_Cosmos_profile_store_when_the_card_store_is_Cosmos()
    {
        var services = new ServiceCollection();
        services.AddUrmFunctions(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CardStore:Kind"] = "cosmos" }).Build());
        Assert.Contains(services, d => d.ServiceType == typeof(Urm.Azure.Cosmos.CosmosProfileStore));
    }

    [Fact]
    public async Task Events_in_are_read_back_capped_archived_once_with_duplicates_stored_once()
    {
        var user = $"u-{Guid.NewGuid():N}";
        var events = string.Join(", ", Enumerable.Range(1, 6).Select(i => $$"""{"eventId": "e-{{i}}", "userId": "{{user}}", "itemId": "sku-{{i}}", "event": "view", "timestamp": "2026-12-01T10:0{{i}}:00Z"}"""));

        var (status, _, body) = await PostAsync($$"""{"events": [{{events}}, {"eventId": "e-6", "userId": "{{user}}", "itemId": "sku-6", "event": "view"}]}""");

        Assert.Equal(200, status);
        Assert.Equal(["accepted", "accepted", "accepted", "accepted", "accepted", "accepted", "duplicate"], Statuses(body));
        Assert.Equal(["sku-2", "sku-3", "sku-4", "sku-5", "sku-6"], await ItemsAsync(user));
        var (_, _, again) = await PostAsync($$"""{"events": [{"eventId": "e-6", "userId": "{{user}}", "itemId": "sku-6", "event": "view"}]}""");
        Assert.Equal(["duplicate"], Statuses(again));
        // Six events accepted, six archived for training (the duplicates are not), whatever the profile's cap.
        Assert.Equal(6, (await ArchiveTextAsync()).Split('\n').Count(l => l.Contains($"\"user_id\":\"{user}\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_session_is_merged_into_its_user_and_erasure_removes_everything()
    {
        var (user, session) = ($"u-{Guid.NewGuid():N}", $"s-{Guid.NewGuid():N}");
        await PostAsync($$"""{"events": [{"sessionId": "{{session}}", "itemId": "sku-1", "event": "view", "timestamp": "2026-12-01T10:01:00Z"}]}""");
        await PostAsync($$"""{"events": [{"userId": "{{user}}", "sessionId": "{{session}}", "itemId": "sku-2", "event": "cart", "timestamp": "2026-12-01T10:02:00Z"}]}""");
        Assert.Equal(["sku-1", "sku-2"], await ItemsAsync(user));
        Assert.Contains(session, await ArchiveTextAsync());

        var (status, _, body) = await CallAsync(c => new DeleteUser(Profiles).RunAsync(c.Request, user, default), "DELETE");

        Assert.Equal(200, status);
        var erased = JsonDocument.Parse(body).RootElement;
        Assert.Equal((2, 2, 0), (erased.GetProperty("erasedEvents").GetInt32(), erased.GetProperty("erasedArchiveLines").GetInt32(), erased.GetProperty("anonymisedRecommendations").GetInt32()));
        Assert.Empty(await ItemsAsync(user));
        Assert.Null(await _services.GetRequiredService<IProfileStore>().GetAsync(ProfileKey.Session(session), default));
        var archive = await ArchiveTextAsync();
        Assert.DoesNotContain(user, archive);
        Assert.DoesNotContain(session, archive);
    }

    [Theory]
    [InlineData("""[{"userId": "u-3", "itemId": "sku-1", "event": "view"}]""")]
    [InlineData("""{"events": [{"userId": "u-3", "itemId": "sku-1", "event": "view"}], "extra": 1}""")]
    [InlineData("""{"events": [{"userId": "u-3", "itemId": "sku-1", "event": "view"},]}""")]
    [InlineData("""{"events": {"userId": "u-3", "itemId": "sku-1", "event": "view"}}""")]
    [InlineData("""{"events": [{"userId": "u-3", "itemId": "sku-1", "event": "teleport"}]}""")]
    public async Task A_body_that_is_not_a_batch_is_a_400_problem_and_nothing_is_stored(string body)
    {
        var (status, mediaType, _) = await PostAsync(body);

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Empty(await ItemsAsync("u-3"));
    }
}

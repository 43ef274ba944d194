using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Urm.Cli.Tests.Serve;
using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Text;
using Urm.Core.Models.Runtime;
using Urm.Core.Profiles;
using Urm.Azure.Tests.Servers;
using Urm.Core.Runs;
using Urm.Functions.Triggers;
using Urm.Http;
using Urm.Http.Serving;

namespace Urm.Functions.Tests;

/// <summary>The HTTP functions over a real tiny model and an encoded catalog (profiles on the Cosmos DB stand-in): 200 answers through the same handlers as `urm serve`.</summary>
public sealed class ServedFunctionTests : IClassFixture<ServeModel>, IAsyncLifetime
{
    private readonly ServeModel _model;
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-functions-").FullName;
    private CosmosStandIn _cosmos = null!;
    private ServiceProvider _services = null!;

    public ServedFunctionTests(ServeModel model) => _model = model;

    public async Task InitializeAsync()
    {
        var session = new EncoderSessionOptions(IntraOpThreads: 1);
        var host = new ModelHost(new ModelHostOptions(session));
        var store = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(Path.Combine(_folder, "cards.db")), default);
        await host.ActivateAsync(_model.Directory, default);   // to encode with
        var text = TextEncoder.Load(new TextEncoderOptions(Session: session));
        var catalog = Path.Combine(_folder, "catalog.jsonl");
        await ServeModel.WriteCatalogAsync(catalog, _model.Items);
        var run = new ChunkedCatalogRun(new FolderRunStore(Path.Combine(_folder, "runs")));
        var plan = await run.PlanAsync(new RunRequest(catalog, "1", host.ActiveVersion!, "", false, false),
            _ => Task.FromResult<Stream>(File.OpenRead(catalog)), CatalogFormat.JsonLines, store, default);
        await run.RunInProcessAsync(plan, () => new CatalogEncoder(store, host, text, null, new InMemoryFeatureCache()), workers: 1, store, default);
        // Served with the cards encoded (activation loads them; later writes show within the index's check interval).
        await host.ActivateAsync(_model.Directory, store, default);

        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(host);
        services.AddSingleton<ICardStore>(store);
        services.AddSingleton<ITextEncoder>(text);
        // Profiles on the Cosmos DB stand-in, as the app keeps them in Azure.
        _cosmos = await CosmosStandIn.CreateAsync();
        services.AddSingleton<IProfileStore>(await _cosmos.ProfileStoreAsync());
        // Events name the recommendation they follow: the log they are attributed against.
        services.AddSingleton<Urm.Core.Kpi.IRecommendationLog>(await _cosmos.RecommendationLogAsync());
        services.AddSingleton<Urm.Core.Events.IEventArchive>(new Urm.Azure.Blobs.BlobEventArchive(await AzuriteBlobs.NewContainerAsync(AzuriteBlobs.Client(), "events")));
        services.AddUrmHttp();
        _services = services.BuildServiceProvider();
    }

    private UrmServing Serving => _services.GetRequiredService<UrmServing>();

    [Fact]
    public async Task Recommend_answers_k_items()
    {
        var (status, mediaType, body) = await CallAsync(c => new Recommend(Serving).RunAsync(c.Request, default), "POST", """{"history": ["sku-1", {"itemId": "sku-2", "event": "cart"}], "k": 4}""");

        Assert.Equal(200, status);
        Assert.Equal("application/json", mediaType);
        var answer = JsonDocument.Parse(body).RootElement;
        Assert.Equal(4, answer.GetProperty("items").GetArrayLength());
        Assert.Equal(_model.Items.Count, JsonDocument.Parse((await CallAsync(c => new Health(Serving).RunAsync(c.Request, default), "GET")).Body).RootElement.GetProperty("cardCount").GetInt32());
    }

    [Fact]
    public async Task GetItem_answers_known_items_and_404_problems()
    {
        var (found, _, body) = await CallAsync(c => new GetItem(Serving).RunAsync(c.Request, "sku-2", default), "GET");
        Assert.Equal(200, found);
        Assert.Equal("sku-2", JsonDocument.Parse(body).RootElement.GetProperty("id").GetString());

        var (missing, mediaType, _) = await CallAsync(c => new GetItem(Serving).RunAsync(c.Request, "nope", default), "GET");
        Assert.Equal(404, missing);
        Assert.Equal("application/problem+json", mediaType);
    }

    [Fact]
    public async Task Recommend_by_user_id_reads_the_events_posted_for_that_user()
    {
        var profiles = _services.GetRequiredService<ProfileServing>();
        var (posted, _, _) = await CallAsync(c => new PostEvents(profiles).RunAsync(c.Request, default), "POST",
            """{"events": [{"userId": "u-1", "itemId": "sku-4", "event": "view", "timestamp": "2026-12-01T10:00:00Z"}, {"userId": "u-1", "itemId": "sku-9", "event": "cart", "timestamp": "2026-12-01T10:01:00Z"}]}""");
        Assert.Equal(200, posted);

        var (status, _, byUser) = await CallAsync(c => new Recommend(Serving).RunAsync(c.Request, default), "POST", """{"userId": "u-1", "history": ["sku-12"], "k": 5}""");
        var (_, _, sent) = await CallAsync(c => new Recommend(Serving).RunAsync(c.Request, default), "POST", """{"history": ["sku-4", {"itemId": "sku-9", "event": "cart"}, "sku-12"], "k": 5}""");

        Assert.Equal(200, status);
        var answer = JsonDocument.Parse(byUser).RootElement;
        Assert.Equal((2, 1), (answer.GetProperty("storedEvents").GetInt32(), answer.GetProperty("sentEvents").GetInt32()));
        Assert.Equal(Ids(JsonDocument.Parse(sent).RootElement), Ids(answer));
    }

    private static string[] Ids(JsonElement answer) => answer.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!).ToArray();

    private Task<(int Status, string? MediaType, string Body)> CallAsync(Func<HttpContext, Task<IActionResult>> function, string method, string? body = null)
        => FunctionCall.InvokeAsync(_services, function, method, body);

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _cosmos.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

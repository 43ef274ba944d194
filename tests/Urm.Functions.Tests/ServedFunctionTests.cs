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
using Urm.Core.Runs;
using Urm.Functions.Triggers;
using Urm.Http;
using Urm.Http.Serving;

namespace Urm.Functions.Tests;

/// <summary>The HTTP functions over a real tiny model and an encoded catalog: 200 answers through the same handlers as `urm serve`.</summary>
public sealed class ServedFunctionTests : IClassFixture<ServeModel>, IAsyncLifetime
{
    private readonly ServeModel _model;
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-functions-").FullName;
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

    private Task<(int Status, string? MediaType, string Body)> CallAsync(Func<HttpContext, Task<IActionResult>> function, string method, string? body = null)
        => FunctionCall.InvokeAsync(_services, function, method, body);

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

using Urm.Azure.Cosmos;
using Urm.Core.Kpi;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Urm.Azure.Lifecycle;
using Urm.Azure.Tests.Servers;
using Urm.Cli.Tests.Serve;
using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Functions.Storage;
using Urm.Functions.Triggers;
using Urm.Http.Serving;

namespace Urm.Functions.Tests;

/// <summary>
/// One test's Azure, on the emulators: a models container, a features container and catalog blobs of its
/// own on Azurite, a database on the Cosmos DB stand-in; and any number of app instances over them, each a
/// service provider of its own with its own empty local disk, as separate Functions instances would be.
/// </summary>
internal sealed class LifecycleWorld : IAsyncDisposable
{
    private readonly List<AppInstance> _instances = [];
    private readonly List<string> _folders = [];

    private LifecycleWorld(ServeModel model, CosmosStandIn cosmos, BlobServiceClient blobs, BlobContainerClient models, BlobContainerClient features, BlobContainerClient runs, QueueClient chunks)
    {
        Model = model;
        Cosmos = cosmos;
        Blobs = blobs;
        Models = models;
        Features = features;
        Runs = runs;
        Chunks = chunks;
    }

    /// <summary>Changed items per chunk here: the 20-item shop makes 4 chunks.</summary>
    public const int ChunkSize = 6;

    public ServeModel Model { get; }
    public CosmosStandIn Cosmos { get; }
    public BlobServiceClient Blobs { get; }
    public BlobContainerClient Models { get; }
    public BlobContainerClient Features { get; }
    public BlobContainerClient Runs { get; }

    /// <summary>The app's chunk queue on Azurite (one for every test: the tests that use it share a collection).</summary>
    public QueueClient Chunks { get; }
    public BlobContainerClient Catalog => Blobs.GetBlobContainerClient(CatalogLifecycle.CatalogContainer);
    public BlobContainerClient Reports => Blobs.GetBlobContainerClient("catalog-reports");
    public string Run { get; } = Guid.NewGuid().ToString("N")[..12];
    public string CatalogName => $"{Run}/catalog.jsonl";

    public static async Task<LifecycleWorld> CreateAsync(ServeModel model)
    {
        await model.InitializeAsync();
        var cosmos = await CosmosStandIn.CreateAsync();
        var blobs = AzuriteBlobs.Client();
        await blobs.GetBlobContainerClient(CatalogLifecycle.CatalogContainer).CreateIfNotExistsAsync();
        await blobs.GetBlobContainerClient("catalog-reports").CreateIfNotExistsAsync();
        var models = await AzuriteBlobs.NewContainerAsync(blobs, "models");
        var features = await AzuriteBlobs.NewContainerAsync(blobs, "features");
        var runs = await AzuriteBlobs.NewContainerAsync(blobs, "runs");
        var chunks = new QueueClient(AzuriteBlobs.DevelopmentStorage(), ChunkQueue.DefaultName, ChunkQueue.ClientOptions());
        await chunks.CreateIfNotExistsAsync();
        await chunks.ClearMessagesAsync();   // whatever an earlier test left
        // The recommendation log's container, as Bicep deploys it: every answer is recorded there.
        var recommendations = await cosmos.RecommendationLogAsync();
        // And the profiles' container: a recommend request by user id reads the shopper's stored history.
        var profiles = await cosmos.ProfileStoreAsync();
        return new LifecycleWorld(model, cosmos, blobs, models, features, runs, chunks) { Recommendations = recommendations, Profiles = profiles };
    }

    private CosmosRecommendationLog Recommendations { get; init; } = null!;
    private CosmosProfileStore Profiles { get; init; } = null!;

    /// <summary>A new app instance; <paramref name="change"/> may replace its services (a failing store, say), <paramref name="settings"/> adds app settings (<c>Section:Key</c>).</summary>
    public AppInstance Start(Action<IServiceCollection>? change = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var local = Directory.CreateTempSubdirectory("urm-instance-").FullName;
        _folders.Add(local);
        var options = Cosmos.Options();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CardStore:Kind"] = "cosmos",
            ["CardStore:ConnectionString"] = options.ConnectionString,
            ["CardStore:Database"] = options.Database,
            ["CardStore:BulkExecution"] = "false",
            ["CatalogStorage"] = AzuriteBlobs.DevelopmentStorage(),
            ["Models:Container"] = Models.Name,
            ["Lifecycle:PollInterval"] = "00:00:01",
            ["Lifecycle:LockWait"] = "00:02:00",
            ["Lifecycle:FeaturesContainer"] = Features.Name,
            ["Lifecycle:RunsContainer"] = Runs.Name,
            ["Lifecycle:ChunkSize"] = ChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Lifecycle:LocalRoot"] = local,
            ["Onnx:IntraOpThreads"] = "1",
        }).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddUrmFunctions(configuration);
        // The stand-in's self-signed certificate: the test transport, not the product, accepts it.
        services.AddSingleton(_ => Cosmos.Store(options));
        services.AddSingleton<ICardSets>(_ => Cosmos.Sets(options));
        services.AddSingleton<IRecommendationLog>(Recommendations);
        services.AddSingleton<Urm.Core.Profiles.IProfileStore>(Profiles);
        services.AddSingleton(Blobs);
        change?.Invoke(services);
        var instance = new AppInstance(this, services.BuildServiceProvider());
        _instances.Add(instance);
        return instance;
    }

    /// <summary>Uploads the trained package as <paramref name="version"/> (the same graphs under another
    /// version are another model as far as the lifecycle can tell) and points models/active.json at it.</summary>
    public async Task UploadModelAsync(string version)
    {
        foreach (var path in Directory.EnumerateFiles(Model.Directory))
        {
            var name = Path.GetFileName(path);
            if (name == "manifest.json")
            {
                var manifest = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
                manifest["version"] = version;
                await Models.GetBlobClient($"{version}/{name}").UploadAsync(BinaryData.FromString(manifest.ToJsonString()), overwrite: true);
            }
            else
            {
                await Models.GetBlobClient($"{version}/{name}").UploadAsync(path, overwrite: true);
            }
        }
        await PointAtAsync(version);
    }

    /// <summary>The usual start: model <paramref name="version"/> activated and the whole shop uploaded, encoded by <paramref name="instance"/>.</summary>
    public async Task ServeAsync(AppInstance instance, string version)
    {
        await UploadModelAsync(version);
        await instance.ActivateModelAsync();
        await UploadCatalogAsync(Model.Items);
        await instance.EncodeCatalogAsync();
        await DrainChunksAsync(instance);
    }

    public Task PointAtAsync(string version)
        => Models.GetBlobClient("active.json").UploadAsync(BinaryData.FromString($$"""{"version": "{{version}}"}"""), overwrite: true);

    public async Task<ServingPointer> ServingAsync() => (await new ServingPointerStore(Models).ReadAsync(default)).Pointer;

    public async Task UploadCatalogAsync(IEnumerable<CatalogItem> items, string? name = null)
    {
        var file = Path.GetTempFileName();
        try
        {
            await ServeModel.WriteCatalogAsync(file, items);
            await Catalog.GetBlobClient(name ?? CatalogName).UploadAsync(file, overwrite: true);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public async Task<JsonElement?> ReportAsync(string? catalogName = null)
    {
        var blob = Reports.GetBlobClient(Path.ChangeExtension(catalogName ?? CatalogName, null) + ".json");
        if (!(await blob.ExistsAsync()).Value) return null;
        return JsonDocument.Parse((await blob.DownloadContentAsync()).Value.Content.ToString()).RootElement.Clone();
    }

    /// <summary>The live cards of one card set, as the store holds them.</summary>
    public async Task<List<CardDocument>> LiveCardsAsync(string set)
    {
        var store = await Cosmos.Sets(Cosmos.Options()).OpenAsync(set, default);
        var cards = new List<CardDocument>();
        await foreach (var card in store.ReadChangedAsync(0, default))
            if (!card.Retired) cards.Add(card);
        return cards;
    }

    /// <summary>
    /// What the queue trigger does on every instance: takes chunk messages and runs the chunk function on
    /// <paramref name="workers"/> in turn, several at once, until the queue is empty. A failed message is made
    /// visible again at once (a real queue waits its visibility timeout) and the first failure is thrown.
    /// </summary>
    /// <returns>Chunk messages processed.</returns>
    public async Task<int> DrainChunksAsync(params AppInstance[] workers)
    {
        var processed = 0;
        var turn = 0;
        while (true)
        {
            QueueMessage[] messages = (await Chunks.ReceiveMessagesAsync(maxMessages: 8, visibilityTimeout: TimeSpan.FromMinutes(1))).Value;
            if (messages.Length == 0) return processed;
            await Task.WhenAll(messages.Select((m, k) => ProcessAsync(workers[(turn + k) % workers.Length], m)));
            turn += messages.Length;
        }

        async Task ProcessAsync(AppInstance worker, QueueMessage message)
        {
            try
            {
                await worker.EncodeChunkAsync(message.Body.ToString());
            }
            catch
            {
                await Chunks.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
                throw;
            }
            await Chunks.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            Interlocked.Increment(ref processed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances) await instance.Services.DisposeAsync();
        await Models.DeleteIfExistsAsync();
        await Features.DeleteIfExistsAsync();
        await Runs.DeleteIfExistsAsync();
        await Cosmos.DisposeAsync();
        foreach (var folder in _folders)
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>One app instance: its functions, called as the host would call them.</summary>
internal sealed class AppInstance(LifecycleWorld world, ServiceProvider services)
{
    public ServiceProvider Services { get; } = services;

    private UrmServing Serving => Services.GetRequiredService<UrmServing>();

    private ServingFollower Follower => Services.GetRequiredService<ServingFollower>();

    public Task ActivateModelAsync()
        => new ActivateModel(Services.GetRequiredService<CatalogLifecycle>()).RunAsync(world.Models.GetBlobClient("active.json"), default);

    public Task EncodeCatalogAsync(string? name = null)
    {
        name ??= world.CatalogName;
        return new EncodeCatalog(Services.GetRequiredService<CatalogLifecycle>()).RunAsync(world.Catalog.GetBlobClient(name), name, default);
    }

    public Task EncodeChunkAsync(string message)
        => ActivatorUtilities.CreateInstance<EncodeChunk>(Services).RunAsync(message, default);

    public Task FailChunkAsync(string message)
        => ActivatorUtilities.CreateInstance<FailChunk>(Services).RunAsync(message, default);

    /// <summary>What the background poller does every interval.</summary>
    public Task PollAsync() => Follower.RefreshAsync(default);

    public async Task<JsonElement> HealthAsync()
    {
        var (status, body) = await CallAsync(c => new Health(Serving, Follower).RunAsync(c.Request, default));
        Assert.True(status == 200, $"health answered {status}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <returns>The model version that answered and the items' ids.</returns>
    public async Task<(int Status, string? Model, List<string> Items)> RecommendAllAsync()
    {
        var (status, body) = await CallAsync(c => new Recommend(Serving, Follower).RunAsync(c.Request, default),
            """{"history": ["sku-1", "sku-2"], "k": 200, "rules": {"availableOnly": false, "excludeSeen": false}}""");
        if (status != 200) return (status, null, []);
        var root = JsonDocument.Parse(body).RootElement;
        return (status, root.GetProperty("modelVersion").GetString(),
            root.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!).ToList());
    }

    /// <returns>The arm and model version that answered <paramref name="userId"/>, and the items' ids.</returns>
    public async Task<(string? Arm, string? Model, List<string> Items)> RecommendForAsync(string userId)
    {
        var (status, body) = await CallAsync(c => new Recommend(Serving, Follower).RunAsync(c.Request, default),
            $$$"""{"userId": "{{{userId}}}", "history": ["sku-1", "sku-2"], "k": 200, "rules": {"availableOnly": false, "excludeSeen": false}}""");
        Assert.True(status == 200, $"recommend for {userId} answered {status}: {body}");
        var root = JsonDocument.Parse(body).RootElement;
        return (root.GetProperty("arm").GetString(), root.GetProperty("modelVersion").GetString(),
            root.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!).ToList());
    }

    public async Task<int> GetItemStatusAsync(string id)
        => (await CallAsync(c => new GetItem(Serving, Follower).RunAsync(c.Request, id, default))).Status;

    /// <summary>Polls health until <paramref name="done"/> holds (the poller's job in a real host).</summary>
    public async Task WaitForAsync(Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await PollAsync();
            var health = await HealthAsync();
            if (done(health)) return;
            Assert.True(DateTime.UtcNow < deadline, $"the instance never showed {what}; health: {health}");
            await Task.Delay(200);
        }
    }

    private async Task<(int Status, string Body)> CallAsync(Func<HttpContext, Task<IActionResult>> function, string? body = null)
    {
        var (status, _, text) = await FunctionCall.InvokeAsync(Services, function, body is null ? "GET" : "POST", body);
        return (status, text);
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Urm.Cli.Tests.Serve;
using Urm.Core.Cards;

namespace Urm.Functions.Tests;

/// <summary>
/// The catalog and model lifecycle on two or more app instances sharing Azurite and the Cosmos DB stand-in
/// (issue 11): a swap reaches every instance with every card, no answer is built from a partial card set,
/// a build that fails half-way is finished elsewhere, overlapping uploads leave the newer one, a repeated
/// event changes nothing.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class LifecycleTests(ServeModel model) : IClassFixture<ServeModel>
{
    private const string A = "model-a";
    private const string B = "model-b";

    [Fact]
    public async Task A_model_swap_on_one_instance_reaches_every_instance_with_every_card_and_no_answer_mixes_sets()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        var first = world.Start();
        var second = world.Start();
        var all = model.Items.Count;

        await world.UploadModelAsync(A);
        await first.ActivateModelAsync();
        await world.UploadCatalogAsync(model.Items);
        await second.EncodeCatalogAsync();
        Assert.Equal(4, await world.DrainChunksAsync(first, second));
        await first.WaitForAsync(h => h.GetProperty("modelVersion").GetString() == A && h.GetProperty("cardCount").GetInt32() == all, $"model {A} with {all} cards");
        await second.WaitForAsync(h => h.GetProperty("modelVersion").GetString() == A && h.GetProperty("cardCount").GetInt32() == all, $"model {A} with {all} cards");

        // Shoppers keep asking the second instance while the first builds B's cards and flips the pointer.
        var answers = new ConcurrentQueue<(int Status, string? Model, int Count)>();
        using var stop = new CancellationTokenSource();
        var shoppers = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (status, version, items) = await second.RecommendAllAsync();
                answers.Enqueue((status, version, items.Count));
            }
        });
        await world.UploadModelAsync(B);
        await first.ActivateModelAsync();
        Assert.Equal(A, (await world.ServingAsync()).ModelVersion);   // B's set is being built: A serves meanwhile
        Assert.Equal(4, await world.DrainChunksAsync(second, first));
        await second.WaitForAsync(h => h.GetProperty("modelVersion").GetString() == B, $"model {B}");
        await Task.Delay(300);
        await stop.CancelAsync();
        await shoppers;

        Assert.True(answers.Count >= 5, $"only {answers.Count} answers during the swap");
        Assert.All(answers, a => Assert.Equal((200, all), (a.Status, a.Count)));
        Assert.Equal([A, B], answers.Select(a => a.Model).Distinct().Order());
        Assert.Equal(B, (await world.ServingAsync()).ModelVersion);
        Assert.Equal(all, (await world.LiveCardsAsync(B)).Count(c => c.ModelVersion == B));
        Assert.Equal(all, (await world.LiveCardsAsync(A)).Count);   // the old set is left whole, never re-stamped

        // The next upload lands on the instance that did not build B: it goes into B's set, and both serve it.
        await world.UploadCatalogAsync(model.Items.Skip(1));
        await second.EncodeCatalogAsync();
        await world.DrainChunksAsync(first, second);
        var report = (await world.ReportAsync())!.Value;
        Assert.Equal((B, 1), (report.GetProperty("modelVersion").GetString(), report.GetProperty("retired").GetInt32()));
        foreach (var instance in new[] { first, second })
            await instance.WaitForAsync(h => h.GetProperty("modelVersion").GetString() == B && h.GetProperty("cardCount").GetInt32() == all - 1, $"model {B} with {all - 1} cards");
    }

    [Fact]
    public async Task A_build_that_fails_half_way_keeps_the_old_model_serving_and_a_fresh_instance_finishes_it()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        var healthy = world.Start();
        await world.ServeAsync(healthy, A);
        var all = model.Items.Count;

        // This instance's writes to B's set die after half the cards (the process crashed, the store went away).
        var failing = world.Start(services =>
        {
            services.AddSingleton<ICardSets>(sp => new HalfWayCardSets(world.Cosmos.Sets(world.Cosmos.Options()), B, all / 2));
        });
        await world.UploadModelAsync(B);
        await failing.ActivateModelAsync();
        await Assert.ThrowsAsync<IOException>(() => world.DrainChunksAsync(failing));

        Assert.Equal(A, (await world.ServingAsync()).ModelVersion);
        Assert.Equal(all / 2, (await world.LiveCardsAsync(B)).Count);
        await healthy.WaitForAsync(h => h.GetProperty("modelVersion").GetString() == A && h.GetProperty("cardCount").GetInt32() == all, $"model {A} still with {all} cards");

        // The failed chunks are delivered again, to a new instance with an empty disk: raw features come from the shared store.
        var fresh = world.Start();
        Assert.True(await world.DrainChunksAsync(fresh) > 0);

        Assert.Equal(B, (await world.ServingAsync()).ModelVersion);
        Assert.Equal(all, (await world.LiveCardsAsync(B)).Count);
        foreach (var instance in new[] { healthy, fresh })
            await instance.WaitForAsync(h => h.GetProperty("modelVersion").GetString() == B && h.GetProperty("cardCount").GetInt32() == all, $"model {B} with {all} cards");
    }

    [Fact]
    public async Task Overlapping_uploads_leave_exactly_the_newer_one_live()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        var first = world.Start();
        var second = world.Start();
        await world.ServeAsync(first, A);

        // v1 drops the last three items and renames sku-5; its run is planned, its chunk queued.
        await world.UploadCatalogAsync(model.Items.Take(model.Items.Count - 3).Select(i => i.Id == "sku-5" ? i with { Title = "Renamed in v1" } : i));
        await first.EncodeCatalogAsync();
        // v2 lands before v1's chunk is encoded: it drops the first three items and renames sku-10.
        var v2 = model.Items.Skip(3).Select(i => i.Id == "sku-10" ? i with { Title = "Renamed in v2" } : i).ToList();
        await world.UploadCatalogAsync(v2);
        await second.EncodeCatalogAsync();
        await world.DrainChunksAsync(first, second);

        var live = await world.LiveCardsAsync(A);
        Assert.Equal(v2.Select(i => i.Id).Order(), live.Select(c => c.Id).Order());
        Assert.Equal("Renamed in v2", live.Single(c => c.Id == "sku-10").Title);
        Assert.Equal(model.Items.Single(i => i.Id == "sku-5").Title, live.Single(c => c.Id == "sku-5").Title);   // v1's chunk did nothing
        Assert.Null((await world.ServingAsync()).CurrentRun);
    }

    [Fact]
    public async Task The_same_event_delivered_twice_changes_nothing()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        var first = world.Start();
        var second = world.Start();
        await world.UploadModelAsync(A);
        await first.ActivateModelAsync();
        await world.UploadCatalogAsync(model.Items);
        await first.EncodeCatalogAsync();
        await second.EncodeCatalogAsync();   // delivered again while the first delivery's run is in progress
        Assert.Equal(4, await world.DrainChunksAsync(first, second));
        var pointer = await world.Models.GetBlobClient("serving.json").GetPropertiesAsync();
        var report = await world.Reports.GetBlobClient($"{world.Run}/catalog.json").GetPropertiesAsync();
        var cards = await world.LiveCardsAsync(A);

        await second.ActivateModelAsync();
        await second.EncodeCatalogAsync();

        Assert.Equal(0, await world.DrainChunksAsync(first, second));
        Assert.Equal(pointer.Value.ETag, (await world.Models.GetBlobClient("serving.json").GetPropertiesAsync()).Value.ETag);
        Assert.Equal(report.Value.ETag, (await world.Reports.GetBlobClient($"{world.Run}/catalog.json").GetPropertiesAsync()).Value.ETag);
        Assert.Equal(cards.Select(c => (c.Id, c.UpdatedAt)).Order(), (await world.LiveCardsAsync(A)).Select(c => (c.Id, c.UpdatedAt)).Order());
    }

    [Fact]
    public async Task A_new_model_is_built_from_the_upload_in_progress_not_the_older_one()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        var instance = world.Start();
        await world.ServeAsync(instance, A);

        // Tomorrow's export, under another name, is being encoded when model B arrives.
        var tomorrow = $"{world.Run}/catalog-2.jsonl";
        await world.UploadCatalogAsync(model.Items.Take(15), tomorrow);
        await instance.EncodeCatalogAsync(tomorrow);
        await world.UploadModelAsync(B);
        await instance.ActivateModelAsync();
        await world.DrainChunksAsync(instance);

        var serving = await world.ServingAsync();
        Assert.Equal((B, tomorrow), (serving.ModelVersion, serving.Catalog!.Name));
        Assert.Equal(model.Items.Take(15).Select(i => i.Id).Order(), (await world.LiveCardsAsync(B)).Select(c => c.Id).Order());
    }

    [Fact]
    public async Task Pointing_active_json_back_at_the_served_model_cancels_the_build_under_way()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        var instance = world.Start();
        await world.ServeAsync(instance, A);

        await world.UploadModelAsync(B);
        await instance.ActivateModelAsync();
        Assert.Equal(B, (await world.ServingAsync()).PendingModel);
        await world.PointAtAsync(A);
        await instance.ActivateModelAsync();
        await world.DrainChunksAsync(instance);   // B's chunks: not current any more, they do nothing

        var serving = await world.ServingAsync();
        Assert.Equal((A, null, null), (serving.ModelVersion, serving.PendingModel, serving.CurrentRun));
        Assert.Empty(await world.LiveCardsAsync(B));
    }

    [Fact]
    public async Task A_chunk_that_fails_every_delivery_ends_its_run_with_a_report()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        var instance = world.Start();
        await world.UploadModelAsync(A);
        await instance.ActivateModelAsync();
        await world.UploadCatalogAsync(model.Items);
        await instance.EncodeCatalogAsync();
        var poisoned = (await world.Chunks.ReceiveMessageAsync()).Value;

        // The host moves it to catalog-chunks-poison after the last retry; the poison function reads it there.
        await instance.FailChunkAsync(poisoned.Body.ToString());

        Assert.Null((await world.ServingAsync()).CurrentRun);
        Assert.Contains("failed on every delivery", (await world.ReportAsync())!.Value.GetProperty("error").GetString());
        await world.DrainChunksAsync(instance);   // the run's other chunks now do nothing
        Assert.Null((await world.ServingAsync()).CurrentRun);
    }

    [Fact]
    public async Task A_catalog_uploaded_before_any_model_is_encoded_when_the_model_arrives()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        var instance = world.Start();
        await world.UploadCatalogAsync(model.Items);
        await instance.EncodeCatalogAsync();
        Assert.Contains("recorded", (await world.ReportAsync())!.Value.GetProperty("error").GetString());

        await world.UploadModelAsync(A);
        var other = world.Start();
        await other.ActivateModelAsync();
        await world.DrainChunksAsync(other, instance);

        await instance.WaitForAsync(h => h.GetProperty("cardCount").GetInt32() == model.Items.Count, $"{model.Items.Count} cards");
    }

    [Fact]
    public async Task A_package_that_cannot_be_served_never_becomes_the_served_model_and_its_report_says_why()
    {
        await using var world = await LifecycleWorld.CreateAsync(model);
        var instance = world.Start();
        await world.ServeAsync(instance, A);

        await world.UploadModelAsync(B);
        await world.Models.GetBlobClient($"{B}/fusion.onnx").UploadAsync(BinaryData.FromString("not a graph"), overwrite: true);
        await instance.ActivateModelAsync();

        Assert.Equal(A, (await world.ServingAsync()).ModelVersion);
        var report = (await world.Models.GetBlobClient($"{B}.activation.json").DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("fusion.onnx", report);
        await instance.WaitForAsync(h => h.GetProperty("modelVersion").GetString() == A && h.GetProperty("cardCount").GetInt32() == model.Items.Count, $"model {A} still serving");
    }

    /// <summary>Card sets whose <paramref name="failing"/> set accepts <paramref name="budget"/> cards in all and then fails every write.</summary>
    private sealed class HalfWayCardSets(ICardSets inner, string failing, int budget) : ICardSets
    {
        private readonly Lock _gate = new();
        private int _left = budget;

        public async Task<ICardStore> OpenAsync(string cardSet, CancellationToken cancellationToken)
        {
            var store = await inner.OpenAsync(cardSet, cancellationToken);
            return cardSet == failing ? new HalfWayStore(store, this) : store;
        }

        public int Take(int wanted)
        {
            lock (_gate)
            {
                var taken = Math.Min(_left, wanted);
                _left -= taken;
                return taken;
            }
        }
    }

    private sealed class HalfWayStore(ICardStore inner, HalfWayCardSets budget) : ICardStore
    {
        public async Task<long> UpsertAsync(IReadOnlyList<CardDocument> cards, CancellationToken cancellationToken)
        {
            var take = budget.Take(cards.Count);
            if (take > 0) await inner.UpsertAsync(cards.Take(take).ToList(), cancellationToken);
            if (take < cards.Count) throw new IOException("The card store went away half-way through the build.");
            return await inner.GetCatalogVersionAsync(cancellationToken);
        }

        public Task<long> GetCatalogVersionAsync(CancellationToken cancellationToken) => inner.GetCatalogVersionAsync(cancellationToken);
        public Task<IReadOnlyDictionary<string, (string ContentHash, string ModelVersion)>> GetStampsAsync(CancellationToken cancellationToken) => inner.GetStampsAsync(cancellationToken);
        public Task<long> RetireAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) => inner.RetireAsync(ids, cancellationToken);
        public IAsyncEnumerable<CardDocument> ReadChangedAsync(long sinceVersion, CancellationToken cancellationToken) => inner.ReadChangedAsync(sinceVersion, cancellationToken);
    }
}

/// <summary>The tests that use the app's one chunk queue on Azurite run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class LifecycleCollection
{
    public const string Name = "lifecycle";
}

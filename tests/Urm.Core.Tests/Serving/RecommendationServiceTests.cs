using Urm.Core.Serving;
using Urm.Core.Tests.Models;
using static Urm.Core.Tests.Serving.ServingCatalog;

namespace Urm.Core.Tests.Serving;

[Collection(TinyModelCollection.Name)]
public sealed class RecommendationServiceTests(TinyModel model)
{
    private readonly RecommendationService _service = Service(model);

    private static RecommendRequest Request(string? task = null, int k = 5, params int[] history) => new(
        "u-1", history.Select(i => new HistoryEvent(Id(i), i % 2 == 0 ? "view" : "purchase", null)).ToArray(),
        task, null, null, null, null, k, null);

    public static TheoryData<string> Tasks() => new(RecommendTasks.All);

    [Theory]
    [MemberData(nameof(Tasks))]
    public async Task Every_task_answers_k_items(string task)
    {
        var request = Request(task, 7, 1, 2, 4) with
        {
            Query = task == RecommendTasks.Search ? "a gentle face cream" : null,
            Category = task == RecommendTasks.Category ? "Beauty>Skin" : null,
        };

        var response = await _service.RecommendAsync(request, CancellationToken.None);

        Assert.Equal(7, response.Items.Count);
        Assert.Equal(7, response.Items.Select(i => i.ItemId).Distinct().Count());
        Assert.Equal(model.Package.Version, response.ModelVersion);
        Assert.True(response.ElapsedMs > 0);
        Assert.True(response.Items.Zip(response.Items.Skip(1), (a, b) => a.Score >= b.Score).All(x => x), "sorted by score");
    }

    [Fact]
    public async Task Default_k_is_ten()
    {
        var response = await _service.RecommendAsync(Request(history: [1, 2]) with { K = null }, CancellationToken.None);
        Assert.Equal(10, response.Items.Count);
    }

    [Fact]
    public async Task Each_item_says_which_interest_and_which_history_item()
    {
        var history = new[] { 1, 2, 4, 8 };

        var response = await _service.RecommendAsync(Request(k: 10, history: history), CancellationToken.None);

        Assert.All(response.Items, item =>
        {
            Assert.InRange(item.Interest, 0, model.Package.Sizes.M - 1);
            Assert.Contains(item.Because, history.Select(Id));
            Assert.Equal($"Item {item.ItemId["sku-".Length..]}", item.Title);
        });
    }

    [Fact]
    public async Task Because_is_the_history_item_with_the_nearest_card()
    {
        var snapshot = Snapshot(model);
        var history = new[] { 1, 2, 4, 8 };

        var response = await _service.RecommendAsync(Request(k: 10, history: history), CancellationToken.None);

        foreach (var item in response.Items)
        {
            snapshot.Matrix.TryGetRow(item.ItemId, out var row);
            var nearest = history.MaxBy(h => System.Numerics.Tensors.TensorPrimitives.Dot(snapshot.Matrix.Row(row), snapshot.Matrix.Row(h)));
            Assert.Equal(Id(nearest), item.Because);
        }
    }

    [Fact]
    public async Task An_empty_history_is_answered_without_reasons_from_history()
    {
        foreach (var request in new[] { Request(history: []), Request() with { History = null } })
        {
            var response = await _service.RecommendAsync(request, CancellationToken.None);

            Assert.Equal(5, response.Items.Count);
            Assert.All(response.Items, i => Assert.Null(i.Because));
            Assert.Empty(response.UnknownItems);
        }
    }

    [Fact]
    public async Task Unknown_history_ids_are_reported_once_and_the_rest_is_served()
    {
        var request = Request(history: [1, 2]) with
        {
            History = [new("sku-1", null, null), new("gone-1", "view", null), new("sku-2", null, null), new("gone-2", "cart", null), new("gone-1", null, null)],
        };

        var response = await _service.RecommendAsync(request, CancellationToken.None);

        Assert.Equal(["gone-1", "gone-2"], response.UnknownItems);
        Assert.Equal(5, response.Items.Count);
        Assert.All(response.Items, i => Assert.Contains(i.Because, new[] { "sku-1", "sku-2" }));
    }

    [Fact]
    public async Task Only_unknown_history_is_answered_like_an_empty_one()
    {
        var response = await _service.RecommendAsync(Request(history: []) with { History = [new("gone", null, null)] }, CancellationToken.None);
        var empty = await _service.RecommendAsync(Request(history: []), CancellationToken.None);

        Assert.Equal(["gone"], response.UnknownItems);
        Assert.Equal(Ids(empty), Ids(response));
    }

    [Fact]
    public async Task The_same_request_gives_the_same_answer()
    {
        var request = Request(RecommendTasks.NextPurchase, 10, 3, 5, 7, 9) with { Rules = new(null, null, null, null, null, 6, null) };

        var first = await _service.RecommendAsync(request, CancellationToken.None);
        var second = await Service(model).RecommendAsync(request, CancellationToken.None);

        Assert.Equal(first.Items, second.Items);
        Assert.Equal(first.UnknownItems, second.UnknownItems);
    }

    [Fact]
    public async Task A_free_text_prompt_replaces_the_instruction()
    {
        var template = await _service.RecommendAsync(Request(k: 10, history: [1, 2, 4]), CancellationToken.None);

        var free = await _service.RecommendAsync(Request(k: 10, history: [1, 2, 4]) with { Prompt = "Something for a birthday present" }, CancellationToken.None);

        Assert.Equal(10, free.Items.Count);
        Assert.NotEqual(template.Items.Select(i => i.Score), free.Items.Select(i => i.Score));
    }

    [Fact]
    public async Task A_search_query_changes_the_answer()
    {
        var cream = await _service.RecommendAsync(Request(RecommendTasks.Search, 10) with { Query = "face cream" }, CancellationToken.None);
        var polish = await _service.RecommendAsync(Request(RecommendTasks.Search, 10) with { Query = "nail polish" }, CancellationToken.None);

        Assert.NotEqual(cream.Items.Select(i => i.Score), polish.Items.Select(i => i.Score));
    }

    [Fact]
    public async Task Similar_reads_the_anchor_alone_and_explains_by_it()
    {
        var request = Request(RecommendTasks.Similar, 6, 1, 2) with { AnchorItemId = "sku-12" };

        var response = await _service.RecommendAsync(request, CancellationToken.None);
        var anchorOnly = await _service.RecommendAsync(request with { History = null }, CancellationToken.None);

        Assert.Equal(6, response.Items.Count);
        Assert.All(response.Items, i => Assert.Equal("sku-12", i.Because));
        Assert.DoesNotContain("sku-12", Ids(response));
        // The history changes only what is excluded as seen, not the user vectors.
        Assert.Equal(anchorOnly.Items.Where(i => i.ItemId is not ("sku-1" or "sku-2")).Take(5).Select(i => i.Score), response.Items.Take(5).Select(i => i.Score));
    }

    [Fact]
    public async Task Similar_without_an_anchor_uses_the_most_recent_history_item()
    {
        // sku-8 is a view in this history, as an explicit anchor is.
        var response = await _service.RecommendAsync(Request(RecommendTasks.Similar, 6, 1, 2, 8), CancellationToken.None);
        var anchored = await _service.RecommendAsync(Request(RecommendTasks.Similar, 6, 1, 2, 8) with { AnchorItemId = "sku-8" }, CancellationToken.None);

        Assert.All(response.Items, i => Assert.Equal("sku-8", i.Because));
        Assert.Equal(Ids(anchored), Ids(response));
    }

    [Fact]
    public async Task An_unknown_anchor_is_reported()
    {
        var response = await _service.RecommendAsync(Request(RecommendTasks.Similar, 4) with { AnchorItemId = "gone" }, CancellationToken.None);

        Assert.Equal(["gone"], response.UnknownItems);
        Assert.Equal(4, response.Items.Count);
    }

    [Fact]
    public async Task Only_the_most_recent_l_history_items_are_read()
    {
        var l = model.Package.Sizes.L;
        var recent = Enumerable.Range(10, l).ToArray();
        var noExclusion = new BusinessRules(null, false, null, null, null, null, null);

        var longer = await _service.RecommendAsync(Request(k: 10, history: [1, 2, 3, .. recent]) with { Rules = noExclusion }, CancellationToken.None);
        var exact = await _service.RecommendAsync(Request(k: 10, history: recent) with { Rules = noExclusion }, CancellationToken.None);

        Assert.Equal(exact.Items, longer.Items);
    }

    [Fact]
    public async Task Timestamps_order_the_history()
    {
        var t0 = DateTimeOffset.Parse("2026-11-01T10:00:00Z");
        HistoryEvent[] ordered = [new("sku-1", "view", t0), new("sku-2", "cart", t0.AddMinutes(1)), new("sku-4", "purchase", t0.AddMinutes(2))];
        HistoryEvent[] shuffled = [ordered[2], ordered[0], ordered[1]];

        var a = await _service.RecommendAsync(Request(k: 10) with { History = ordered }, CancellationToken.None);
        var b = await _service.RecommendAsync(Request(k: 10) with { History = shuffled }, CancellationToken.None);

        Assert.Equal(a.Items, b.Items);
    }

    [Fact]
    public async Task An_invalid_request_is_refused_with_its_fields()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _service.RecommendAsync(Request(k: 0), CancellationToken.None));
        Assert.Contains("k:", e.Message);
        Assert.Equal("k", Assert.Single(_service.Validate(Request(k: 0))).Field);
    }

    [Fact]
    public async Task An_item_is_looked_up_by_id()
    {
        var item = await _service.GetItemAsync("sku-4", CancellationToken.None);

        Assert.NotNull(item);
        Assert.Equal("Item 4", item.Title);
        Assert.Equal(model.Package.Sizes.DCard, item.Vector.Length);
        Assert.Null(await _service.GetItemAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task Health_names_the_model_and_the_catalog()
    {
        var health = await _service.GetHealthAsync(CancellationToken.None);

        Assert.Equal(new HealthReport(model.Package.Version, TinyModel.ItemCount, 7, model.Package.Version, Urm.Core.Features.ExecutionProvider.Cpu), health);
    }

    [Fact]
    public async Task Cards_of_another_model_are_never_mixed_into_an_answer()
    {
        var snapshot = Snapshot(model);
        var other = new Urm.Core.Cards.CardSnapshot(snapshot.Matrix, snapshot.Documents, snapshot.CatalogVersion, "another-model");
        var text = new PromptTableEncoder(Path.Combine(model.Root, "features"));
        var service = new RecommendationService(ServingModel.Create(model.Package, text), new FixedSnapshotSource(other));

        var e = await Assert.ThrowsAsync<ServiceNotReadyException>(() => service.RecommendAsync(Request(history: [1]), CancellationToken.None));
        Assert.Contains("another-model", e.Message);
    }

    [Fact]
    public async Task Cards_of_another_size_are_refused()
    {
        var snapshot = Snapshot(model);
        var wide = new Urm.Core.Cards.CardSnapshot(
            new Urm.Core.Retrieval.CardMatrix(snapshot.Matrix.Ids, new float[snapshot.Matrix.Count * 3], 3), snapshot.Documents, 8, "other");
        var text = new PromptTableEncoder(Path.Combine(model.Root, "features"));
        var service = new RecommendationService(ServingModel.Create(model.Package, text), new FixedSnapshotSource(wide));

        var e = await Assert.ThrowsAsync<ServiceNotReadyException>(() => service.RecommendAsync(Request(history: [1]), CancellationToken.None));
        Assert.Contains("dCard", e.Message);
    }

    internal static string[] Ids(RecommendResponse response) => response.Items.Select(i => i.ItemId).ToArray();

    [Fact]
    public async Task A_request_validated_once_is_served_and_one_validated_against_other_limits_is_refused()
    {
        var request = Request(history: [1, 2]);
        Assert.True(new RequestValidator().TryValidate(request, out var valid, out var errors));
        Assert.Empty(errors);

        var answer = await _service.RecommendAsync(valid, default);

        Assert.Equal(5, answer.Items.Count);
        Assert.True(new RequestValidator(new ServingLimits { MaxK = 50 }).TryValidate(request, out var other, out _));
        await Assert.ThrowsAsync<ArgumentException>(() => _service.RecommendAsync(other, default));
        Assert.False(new RequestValidator().TryValidate(Request(k: 0), out var none, out var problems));
        Assert.Null(none);
        Assert.Contains(problems, p => p.Field == "k");
    }
}

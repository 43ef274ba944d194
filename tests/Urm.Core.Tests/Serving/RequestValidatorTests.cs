using Urm.Core.Serving;

namespace Urm.Core.Tests.Serving;

public sealed class RequestValidatorTests
{
    private static readonly RecommendRequest Valid = new(
        UserId: "u-42",
        History: [new HistoryEvent("sku-1", "view", DateTimeOffset.Parse("2026-11-01T10:00:00Z"))],
        Task: "next-item", Prompt: null, Query: null, AnchorItemId: null, Category: null, K: 10,
        Rules: new BusinessRules(true, true, [], [], [], null, null));

    private static readonly BusinessRules NoRules = new(null, null, null, null, null, null, null);

    private readonly RequestValidator _validator = new();

    public static TheoryData<string, RecommendRequest, string> BadRequests() => new()
    {
        { "too much history", Valid with { History = Enumerable.Range(0, 501).Select(i => new HistoryEvent($"sku-{i}", null, null)).ToArray() }, "history" },
        { "null history entry", Valid with { History = [null!] }, "history[0]" },
        { "empty history item id", Valid with { History = [new HistoryEvent(" ", "view", null)] }, "history[0].itemId" },
        { "long history item id", Valid with { History = [new HistoryEvent("sku-1", null, null), new HistoryEvent(new string('x', 257), null, null)] }, "history[1].itemId" },
        { "unknown event", Valid with { History = [new HistoryEvent("sku-1", "like", null)] }, "history[0].event" },
        { "k zero", Valid with { K = 0 }, "k" },
        { "k negative", Valid with { K = -3 }, "k" },
        { "k over 200", Valid with { K = 201 }, "k" },
        { "long user id", Valid with { UserId = new string('u', 257) }, "userId" },
        { "unknown task", Valid with { Task = "trending" }, "task" },
        { "similar without anchor or history", Valid with { Task = "similar", History = [] }, "anchorItemId" },
        { "search without query", Valid with { Task = "search", Query = "  " }, "query" },
        { "category without category", Valid with { Task = "category" }, "category" },
        { "long prompt", Valid with { Prompt = new string('p', 1_001) }, "prompt" },
        { "long query", Valid with { Task = "search", Query = new string('q', 1_001) }, "query" },
        { "long category", Valid with { Task = "category", Category = new string('c', 1_001) }, "category" },
        { "long anchor id", Valid with { Task = "similar", AnchorItemId = new string('a', 257) }, "anchorItemId" },
        { "too many excludeIds", Valid with { Rules = NoRules with { ExcludeIds = Enumerable.Range(0, 1_001).Select(i => $"sku-{i}").ToArray() } }, "rules.excludeIds" },
        { "empty excludeId", Valid with { Rules = NoRules with { ExcludeIds = ["sku-1", ""] } }, "rules.excludeIds[1]" },
        { "long excludeId", Valid with { Rules = NoRules with { ExcludeIds = [new string('x', 257)] } }, "rules.excludeIds[0]" },
        { "too many categories", Valid with { Rules = NoRules with { Categories = Enumerable.Range(0, 101).Select(i => $"c{i}").ToArray() } }, "rules.categories" },
        { "empty category", Valid with { Rules = NoRules with { Categories = [" "] } }, "rules.categories[0]" },
        { "too many excluded categories", Valid with { Rules = NoRules with { ExcludeCategories = Enumerable.Range(0, 101).Select(i => $"c{i}").ToArray() } }, "rules.excludeCategories" },
        { "long excluded category", Valid with { Rules = NoRules with { ExcludeCategories = [new string('c', 1_001)] } }, "rules.excludeCategories[0]" },
        { "negative priceMin", Valid with { Rules = NoRules with { PriceMin = -1 } }, "rules.priceMin" },
        { "negative priceMax", Valid with { Rules = NoRules with { PriceMax = -0.5 } }, "rules.priceMax" },
        { "infinite priceMax", Valid with { Rules = NoRules with { PriceMax = double.PositiveInfinity } }, "rules.priceMax" },
        { "priceMin above priceMax", Valid with { Rules = NoRules with { PriceMin = 50, PriceMax = 10 } }, "rules.priceMin" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void A_bad_request_names_the_field_to_fix(string why, RecommendRequest request, string field)
    {
        var errors = _validator.Validate(request);

        var error = Assert.Single(errors);
        Assert.True(error.Field == field, $"{why}: expected {field}, got {error.Field} ({error.Message})");
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    public static TheoryData<string, RecommendRequest> GoodRequests() => new()
    {
        { "the design's example", Valid },
        { "only a history", new RecommendRequest(null, [new HistoryEvent("sku-1", null, null)], null, null, null, null, null, null, null) },
        { "nothing at all (empty history is answered)", new RecommendRequest(null, null, null, null, null, null, null, null, null) },
        { "500 events", Valid with { History = Enumerable.Range(0, 500).Select(i => new HistoryEvent($"sku-{i}", "PURCHASE", null)).ToArray() } },
        { "k at its bounds", Valid with { K = 200 } },
        { "k one", Valid with { K = 1 } },
        { "task in any case", Valid with { Task = "Next-Purchase" } },
        { "similar with an anchor only", Valid with { Task = "similar", History = null, AnchorItemId = "sku-3" } },
        { "similar with a history only", Valid with { Task = "similar" } },
        { "search with a query", Valid with { Task = "search", Query = "red running shoes" } },
        { "category with a category", Valid with { Task = "category", Category = "Shoes > Running" } },
        { "explore", Valid with { Task = "explore" } },
        { "free-text prompt of 1000 chars", Valid with { Prompt = new string('p', 1_000) } },
        { "blank optional strings are absent", Valid with { Prompt = "", Query = "", AnchorItemId = "", Category = "", UserId = "" } },
        { "a price band", Valid with { Rules = NoRules with { PriceMin = 0, PriceMax = 0 } } },
        { "full lists", Valid with { Rules = NoRules with { ExcludeIds = Enumerable.Range(0, 1_000).Select(i => $"sku-{i}").ToArray(), Categories = Enumerable.Range(0, 100).Select(i => $"c{i}").ToArray() } } },
    };

    [Theory]
    [MemberData(nameof(GoodRequests))]
    public void A_good_request_has_no_errors(string why, RecommendRequest request)
        => Assert.True(_validator.Validate(request).Count == 0, why);

    [Fact]
    public void Every_problem_is_reported_not_just_the_first()
    {
        var request = Valid with { K = 0, Task = "nope", History = [new HistoryEvent("", "like", null)], Rules = NoRules with { PriceMin = -1 } };

        var fields = _validator.Validate(request).Select(e => e.Field);

        Assert.Equal(new[] { "history[0].itemId", "history[0].event", "task", "k", "rules.priceMin" }.Order(), fields.Order());
    }

    [Fact]
    public void A_null_body_is_one_error()
        => Assert.Single(_validator.Validate(null));

    [Fact]
    public void Limits_are_options()
    {
        var strict = new RequestValidator(new ServingLimits { MaxK = 5, MaxHistory = 2 });

        var fields = strict.Validate(Valid with { K = 6, History = [new("a", null, null), new("b", null, null), new("c", null, null)] }).Select(e => e.Field);

        Assert.Equal(["history", "k"], fields.Order());
    }

    [Fact]
    public void An_echoed_value_is_shortened()
    {
        var error = Assert.Single(_validator.Validate(Valid with { Task = new string('t', 5_000) }));
        Assert.True(error.Message.Length < 300, error.Message);
    }
}

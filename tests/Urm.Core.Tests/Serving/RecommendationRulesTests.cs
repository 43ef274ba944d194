using Urm.Core.Serving;
using Urm.Core.Tests.Models;
using static Urm.Core.Tests.Serving.ServingCatalog;

namespace Urm.Core.Tests.Serving;

/// <summary>
/// Business rules after retrieval. The answer under a rule must be exactly the unfiltered ranking with
/// the rule applied, cut at k: that holds only if over-fetch kept scanning until k eligible items came
/// back. A stingy over-fetch (one scan of k, then doubling) makes the later scans happen.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class RecommendationRulesTests(TinyModel model)
{
    private static readonly RecommendationOptions Stingy = new() { OverFetchFactor = 1 };
    private static readonly BusinessRules NoRules = new(null, null, null, null, null, null, null);
    private static readonly int[] History = [1, 4];

    private readonly RecommendationService _service = Service(model);
    private readonly RecommendationService _stingy = Service(model, Stingy);

    private static RecommendRequest Request(int k, BusinessRules? rules = null, string? task = null) => new(
        "u-1", History.Select(i => new HistoryEvent(Id(i), "view", null)).ToArray(), task, null, null, null, null, k, rules);

    private static int Row(string id) => int.Parse(id["sku-".Length..]);

    [Fact]
    public async Task Unavailable_items_are_left_out_by_default()
    {
        var response = await _service.RecommendAsync(Request(30), CancellationToken.None);
        var all = await _service.RecommendAsync(Request(30, NoRules with { AvailableOnly = false }), CancellationToken.None);

        Assert.All(response.Items, i => Assert.True(Available(Row(i.ItemId)), i.ItemId));
        Assert.Equal(TinyModel.ItemCount - History.Length - 4, response.Items.Count);
        Assert.Equal(TinyModel.ItemCount - History.Length, all.Items.Count);
        Assert.Contains(all.Items, i => !Available(Row(i.ItemId)));
    }

    [Fact]
    public async Task Seen_items_are_left_out_by_default_and_can_be_let_in()
    {
        var rules = NoRules with { AvailableOnly = false };
        var response = await _service.RecommendAsync(Request(30, rules), CancellationToken.None);
        var seen = await _service.RecommendAsync(Request(30, rules with { ExcludeSeen = false }), CancellationToken.None);

        Assert.DoesNotContain(response.Items, i => History.Select(Id).Contains(i.ItemId));
        Assert.Equal(TinyModel.ItemCount, seen.Items.Count);
        Assert.All(History, h => Assert.Contains(seen.Items, i => i.ItemId == Id(h)));
    }

    [Fact]
    public async Task Excluded_ids_are_left_out_and_k_still_comes_back()
    {
        var top = await _service.RecommendAsync(Request(5), CancellationToken.None);
        var excluded = top.Items.Select(i => i.ItemId).Append("not-in-catalog").ToArray();

        var response = await _stingy.RecommendAsync(Request(5, NoRules with { ExcludeIds = excluded }), CancellationToken.None);

        Assert.Equal(5, response.Items.Count);
        Assert.Empty(response.Items.Select(i => i.ItemId).Intersect(excluded));
    }

    public static TheoryData<string, BusinessRules, int> PostFilters() => new()
    {
        { "allow one category (other case and spacing)", NoRules with { Categories = ["beauty > NAILS"] }, 8 },
        { "allow two categories", NoRules with { Categories = ["Beauty>Nails", "Beauty>Hair"] }, 12 },
        { "allow a parent category", NoRules with { Categories = ["Beauty"] }, 10 },
        { "deny a category", NoRules with { ExcludeCategories = ["Beauty>Skin"] }, 10 },
        { "deny two categories", NoRules with { ExcludeCategories = ["beauty>skin", "Beauty > Hair"] }, 7 },
        { "allow and deny", NoRules with { Categories = ["Beauty"], ExcludeCategories = ["Beauty>Hair"] }, 10 },
        { "price min", NoRules with { PriceMin = 25 }, 6 },
        { "price max", NoRules with { PriceMax = 12 }, 5 },
        { "price band", NoRules with { PriceMin = 10, PriceMax = 20 }, 8 },
        { "category and price", NoRules with { Categories = ["Beauty>Hair"], PriceMax = 30 }, 4 },
        { "more asked than eligible", NoRules with { Categories = ["Beauty>Nails"], PriceMin = 20 }, 10 },
    };

    [Theory]
    [MemberData(nameof(PostFilters))]
    public async Task A_rule_gives_the_ranking_filtered_and_k_items_when_k_are_eligible(string why, BusinessRules rules, int k)
    {
        var ranking = await _service.RecommendAsync(Request(30), CancellationToken.None);
        var expected = ranking.Items.Where(i => Meets(rules, Row(i.ItemId))).Take(k).Select(i => i.ItemId).ToArray();

        foreach (var service in new[] { _service, _stingy })
        {
            var response = await service.RecommendAsync(Request(k, rules), CancellationToken.None);

            Assert.True(expected.SequenceEqual(response.Items.Select(i => i.ItemId)), $"{why}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", response.Items.Select(i => i.ItemId))}]");
        }
        var eligible = Enumerable.Range(0, TinyModel.ItemCount).Count(i => Available(i) && !History.Contains(i) && Meets(rules, i));
        Assert.Equal(Math.Min(k, eligible), expected.Length);
    }

    [Fact]
    public async Task The_category_task_answers_from_its_category_only()
    {
        var request = Request(10, task: RecommendTasks.Category) with { Category = "Beauty > Hair" };

        var response = await _stingy.RecommendAsync(request, CancellationToken.None);
        var narrowed = await _stingy.RecommendAsync(request with { Rules = NoRules with { Categories = ["Beauty>Skin"] } }, CancellationToken.None);

        Assert.Equal(7, response.Items.Count); // 10 Hair items, less sku-1 and sku-4 (seen) and sku-10 (out of stock)
        Assert.All(response.Items, i => Assert.Equal("Beauty>Hair", Category(Row(i.ItemId))));
        Assert.Empty(narrowed.Items); // Hair and Skin at once: nothing is in both
    }

    [Fact]
    public async Task Explore_leaves_out_the_categories_of_the_history()
    {
        // sku-1 is Hair, sku-4 is Hair; add sku-3 (Skin) so only Nails is left.
        var request = Request(8, task: RecommendTasks.Explore) with { History = [new("sku-1", null, null), new("sku-3", null, null), new("sku-4", null, null)] };

        var response = await _stingy.RecommendAsync(request, CancellationToken.None);

        Assert.Equal(8, response.Items.Count);
        Assert.All(response.Items, i => Assert.Equal("Beauty>Nails", Category(Row(i.ItemId))));
    }

    private static bool Meets(BusinessRules rules, int i)
    {
        var category = Category(i).ToLowerInvariant();
        static string Norm(string c) => c.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        bool Under(string c) => category == Norm(c) || category.StartsWith(Norm(c) + ">", StringComparison.Ordinal);
        if (rules.Categories is { Count: > 0 } allow && !allow.Any(Under)) return false;
        if (rules.ExcludeCategories is { } deny && deny.Any(Under)) return false;
        if (rules.PriceMin is { } min && (Price(i) is not { } p1 || p1 < min)) return false;
        if (rules.PriceMax is { } max && (Price(i) is not { } p2 || p2 > max)) return false;
        return true;
    }
}

using Urm.Core.Catalog;
using Urm.Core.Prompts;

namespace Urm.Core.Tests.Prompts;

public sealed class SearchQueriesTests
{
    private static CatalogItem Item(string id, string title, string? category = "Beauty > Skin Care > Face Serums", string? brand = null, Dictionary<string, string>? attributes = null)
        => new(id, title, null, category, brand, null, attributes ?? [], null, true);

    [Fact]
    public void Queries_are_lower_case_words_of_the_items_own_text_and_the_same_on_every_draw()
    {
        var item = Item("sku-1", "Vitamin-C Serum, 30ml (Glow Edition)", brand: "Acme", attributes: new() { ["colour"] = "Amber" });
        var words = "vitamin c serum 30ml glow edition acme amber beauty skin care face serums".Split(' ').ToHashSet();

        var queries = SearchQueries.For(item, 4, "train");

        Assert.InRange(queries.Count, 2, 4);
        Assert.Equal(queries, SearchQueries.For(item, 4, "train"));
        Assert.Equal(queries.Count, queries.Distinct().Count());
        Assert.All(queries, q => Assert.Equal(q.ToLowerInvariant(), q));
        Assert.All(queries, q => Assert.All(q.Split(' '), w => Assert.Contains(w, words)));
    }

    [Fact]
    public void Each_template_uses_the_part_of_the_row_it_names_and_falls_back_to_title_words()
    {
        var item = Item("sku-2", "Hydrating Face Cream", brand: "Nivea", attributes: new() { ["attr:1"] = "yes", ["finish"] = "Matte" });
        var random = new Random(1);

        Assert.Equal("nivea face serums", SearchQueries.Draw(item, SearchQueries.Template.BrandAndCategory, random));
        Assert.Equal("matte face serums", SearchQueries.Draw(item, SearchQueries.Template.AttributeAndCategory, random)); // the flag "yes" is never a query word
        Assert.Contains(SearchQueries.Draw(item, SearchQueries.Template.Category, random), new[] { "face serums", "skin care face serums" });
        // No brand, no category: title words instead.
        var bare = Item("sku-3", "Hydrating Face Cream", category: null);
        foreach (var template in Enum.GetValues<SearchQueries.Template>())
            Assert.All(SearchQueries.Draw(bare, template, new Random(2)).Split(' '), w => Assert.Contains(w, new[] { "hydrating", "face", "cream" }));
    }

    [Fact]
    public void About_a_tenth_of_the_items_are_held_out_and_evaluation_draws_other_queries()
    {
        var ids = Enumerable.Range(0, 10_000).Select(i => $"item-{i}").ToList();
        var share = ids.Count(SearchQueries.IsHeldOut) / (double)ids.Count;
        Assert.InRange(share, 0.08, 0.12);
        Assert.Equal(ids.Where(SearchQueries.IsHeldOut), ids.Where(SearchQueries.IsHeldOut)); // stable

        var items = ids.Take(200).Select(id => Item(id, $"Long Lasting Matte Lipstick Shade {id} Red Velvet Finish")).ToList();
        var differ = items.Count(i => !SearchQueries.For(i, 1, "train").SequenceEqual(SearchQueries.For(i, 1, SearchQueries.EvaluationSeed)));
        Assert.True(differ > 100, $"only {differ} of 200 evaluation queries differ from the first training query");
    }

    [Fact]
    public void Every_task_has_trained_and_held_out_paraphrases_and_they_never_overlap()
    {
        foreach (var task in PromptTemplates.Tasks.Keys)
        {
            Assert.NotEmpty(PromptTemplates.Paraphrases[task]);
            Assert.NotEmpty(PromptTemplates.HeldOutParaphrases[task]);
            var trained = PromptTemplates.Paraphrases.Values.SelectMany(p => p).Append(PromptTemplates.Tasks[task]).ToHashSet(StringComparer.OrdinalIgnoreCase);
            Assert.All(PromptTemplates.HeldOutParaphrases[task], p => Assert.DoesNotContain(p, trained));
        }
    }
}

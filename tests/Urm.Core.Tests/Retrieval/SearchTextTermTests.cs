using Urm.Core.Cards;
using Urm.Core.Retrieval;

namespace Urm.Core.Tests.Retrieval;

/// <summary>The search text term folded into the scan: the scan's score is the model's max plus weight × the query–text inner product.</summary>
public class SearchTextTermTests
{
    [Fact]
    public void Each_items_scan_score_is_its_model_score_plus_the_weighted_text_term_and_the_interest_is_the_models()
    {
        var random = new Random(11);
        const int n = 400, d = 8, t = 24, m = 3;
        const float weight = 2.5f;
        var cards = new CardMatrix(Enumerable.Range(0, n).Select(i => $"sku-{i}").ToArray(),
            Enumerable.Range(0, n * d).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), d);
        // Every 9th card was written before cards kept text: it scores by the model alone.
        var texts = Enumerable.Range(0, n).Select(i => i % 9 == 0 ? null : CardText.Quantize(Unit(random, t))).ToArray();
        var users = Enumerable.Range(0, m * d).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var query = Unit(random, t);

        var search = SearchTextTerm.Append(cards, texts, t);
        var top = SetRetriever.TopK(search, SearchTextTerm.Append(users, d, query, weight), k: n);

        Assert.Equal(d + t, search.Dimension);
        Assert.Equal(n, top.Length);
        foreach (var item in top)
        {
            var (model, interest) = SetRetriever.Score(cards.Row(item.Row), users, m);
            var text = texts[item.Row] is { } code ? code.Select((c, i) => c / CardText.Scale * query[i]).Sum() : 0f;
            Assert.True(Math.Abs(model + weight * text - item.Score) < 1e-4, $"row {item.Row}: scanned {item.Score}, expected {model + weight * text}");
            Assert.Equal(interest, item.Interest);
        }
        // The text term moves the ranking: the best item by the model alone is not the best with the term.
        Assert.NotEqual(SetRetriever.TopK(cards, users, k: 1)[0].Row, top[0].Row);
    }

    [Theory]
    [InlineData(24)]
    [InlineData(0)]   // the prior alone: no card keeps text
    public void With_the_prior_column_each_scan_score_is_the_model_score_plus_the_text_term_plus_beta_ln_1_plus_n(int t)
    {
        var random = new Random(12);
        const int n = 300, d = 8, m = 2;
        const float weight = 1.5f, beta = 0.32f;
        var cards = new CardMatrix(Enumerable.Range(0, n).Select(i => $"sku-{i}").ToArray(),
            Enumerable.Range(0, n * d).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), d);
        var texts = Enumerable.Range(0, n).Select(i => t == 0 || i % 9 == 0 ? null : CardText.Quantize(Unit(random, t))).ToArray();
        // ln(1 + n) of training counts from 0 to 5,000, a few items never seen (new since training).
        var prior = Enumerable.Range(0, n).Select(i => i % 11 == 0 ? 0f : (float)Math.Log(1 + random.Next(0, 5_001))).ToArray();
        var users = Enumerable.Range(0, m * d).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var query = t == 0 ? [] : Unit(random, t);

        var search = SearchTextTerm.Append(cards, texts, t, prior);
        var scanned = SearchTextTerm.Append(users, d, query, weight, beta);
        var top = SetRetriever.TopK(search, scanned, k: n);

        Assert.Equal(d + t + 1, search.Dimension);
        Assert.Equal(m * (d + t + 1), scanned.Length);
        foreach (var item in top)
        {
            var (model, interest) = SetRetriever.Score(cards.Row(item.Row), users, m);
            var text = texts[item.Row] is { } code ? code.Select((c, i) => c / CardText.Scale * query[i]).Sum() : 0f;
            var expected = model + weight * text + beta * prior[item.Row];
            Assert.True(Math.Abs(expected - item.Score) < 1e-4, $"row {item.Row}: scanned {item.Score}, expected {expected}");
            Assert.Equal(interest, item.Interest);
            Assert.Equal(prior[item.Row], search.Row(item.Row)[^1]);
        }
        // The compressed scan's bounds hold with the prior's column as well: it answers as the exact scan does.
        Assert.Equal(SetRetriever.ExactTopK(search, scanned, k: 20), SetRetriever.CompressedTopK(search, scanned, k: 20));
    }

    [Fact]
    public void The_prior_must_be_row_for_row_with_the_cards()
    {
        var cards = new CardMatrix(["a", "b"], [1f, 0f, 0f, 1f], 2);
        Assert.Throws<ArgumentException>(() => SearchTextTerm.Append(cards, [null, null], 0, [1f]));
    }

    [Fact]
    public void Texts_must_be_row_for_row_with_the_cards()
    {
        var cards = new CardMatrix(["a", "b"], [1f, 0f, 0f, 1f], 2);
        Assert.Throws<ArgumentException>(() => SearchTextTerm.Append(cards, [null], 4));
    }

    private static float[] Unit(Random random, int length)
    {
        var v = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }
}

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

using Urm.Core.Retrieval;

namespace Urm.Core.Tests.Retrieval;

public class SetRetrieverTests
{
    // Four 2-d cards; two interest vectors: one points along x, one along y.
    private static readonly CardMatrix Cards = new(
        ["a", "b", "c", "d"],
        [1.0f, 0.0f,   0.0f, 1.0f,   0.6f, 0.6f,   -1.0f, 0.0f],
        2);

    [Fact]
    public void Score_is_the_best_inner_product_over_the_interests()
    {
        var top = SetRetriever.TopK(Cards, [1f, 0f, 0f, 0.9f], k: 4);

        Assert.Equal([0, 1, 2, 3], top.Select(t => t.Row));
        Assert.Equal([1f, 0.9f, 0.6f, 0f], top.Select(t => t.Score));
        Assert.Equal([0, 1, 0, 1], top.Select(t => t.Interest)); // c: 0.6 on x beats 0.54 on y; d: 0 on y beats -1 on x
    }

    [Fact]
    public void Matches_a_brute_force_sort_on_random_data_with_ties_broken_by_row()
    {
        var random = new Random(7);
        const int n = 5_000, d = 16, m = 3;
        // Values on a coarse grid so that equal scores really happen.
        var vectors = Enumerable.Range(0, n * d).Select(_ => random.Next(-2, 3) / 2f).ToArray();
        var cards = new CardMatrix(Enumerable.Range(0, n).Select(i => $"item-{i}").ToArray(), vectors, d);
        var users = Enumerable.Range(0, m * d).Select(_ => random.Next(-2, 3) / 2f).ToArray();
        Func<int, bool> excluded = row => row % 7 == 0;

        var top = SetRetriever.TopK(cards, users, k: 50, excluded);

        var expected = Enumerable.Range(0, n).Where(r => !excluded(r))
            .Select(r => (Row: r, Score: Enumerable.Range(0, m).Max(s => Dot(cards.Row(r), users.AsSpan(s * d, d)))))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Row).Take(50).ToList();
        Assert.Equal(expected.Select(e => e.Row), top.Select(t => t.Row));
        Assert.Equal(expected.Select(e => e.Score), top.Select(t => t.Score));
    }

    [Fact]
    public void Fewer_than_k_eligible_cards_give_all_of_them()
    {
        var top = SetRetriever.TopK(Cards, [1f, 0f], k: 10, excluded: row => row == 1);
        Assert.Equal([0, 2, 3], top.Select(t => t.Row));
    }

    [Fact]
    public void User_vectors_of_the_wrong_width_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SetRetriever.TopK(Cards, [1f, 0f, 1f], k: 1));
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}

using Urm.Core.Events;
using Urm.Core.Models.Runtime;
using Urm.Core.Retrieval;

namespace Urm.Core.Tests.Models;

[Collection(TinyModelCollection.Name)]
public sealed class UserEncoderTests(TinyModel model)
{
    [Fact]
    public void Gives_m_unit_vectors_of_dcard()
    {
        var s = model.Package.Sizes;
        var (encoder, cards) = Setup();

        var vectors = encoder.Encode(User(cards, [3, 4, 5, 6]));

        Assert.Equal(s.M * s.DCard, vectors.Length);
        for (var m = 0; m < s.M; m++)
            Assert.Equal(1f, CardFuserTests.Norm(vectors.AsSpan(m * s.DCard, s.DCard)), 4);
    }

    [Fact]
    public void An_empty_history_works()
    {
        var s = model.Package.Sizes;
        var (encoder, _) = Setup();

        var vectors = encoder.Encode(new UserSequence(Prompt(), []));

        Assert.Equal(s.M * s.DCard, vectors.Length);
        Assert.Equal(1f, CardFuserTests.Norm(vectors.AsSpan(0, s.DCard)), 4);
    }

    [Fact]
    public void A_batch_gives_what_each_user_gets_alone()
    {
        var (encoder, cards) = Setup();
        var users = new[] { User(cards, [1, 2, 3, 4, 5, 6, 7, 8, 9]), new UserSequence(Prompt(), []), User(cards, [20]) };

        var batch = encoder.EncodeBatch(users);

        for (var u = 0; u < users.Length; u++)
        {
            var alone = encoder.Encode(users[u]);
            Assert.All(alone.Zip(batch[u], (a, b) => Math.Abs(a - b)), diff => Assert.True(diff < 1e-5f));
        }
    }

    [Fact]
    public void Only_the_most_recent_l_items_count()
    {
        var (encoder, cards) = Setup();
        var recent = Enumerable.Range(10, model.Package.Sizes.L).ToArray();

        var longer = encoder.Encode(User(cards, [1, 2, 3, .. recent]));
        var exact = encoder.Encode(User(cards, recent));

        Assert.All(longer.Zip(exact, (a, b) => Math.Abs(a - b)), diff => Assert.True(diff < 1e-5f));
    }

    [Fact]
    public void Event_types_map_to_the_manifest_ids()
    {
        var (encoder, _) = Setup();
        Assert.Equal(1, encoder.EventId(EventType.View));
        Assert.Equal(4, encoder.EventId(EventType.Purchase));
    }

    [Fact]
    public void Retrieval_over_fused_cards_returns_k_rows()
    {
        var (encoder, cards) = Setup();
        var vectors = encoder.Encode(User(cards, [3, 4, 5]));

        var top = SetRetriever.TopK(cards, vectors, k: 5);

        Assert.Equal(5, top.Length);
        Assert.All(top, r => Assert.InRange(r.Interest, 0, model.Package.Sizes.M - 1));
        Assert.True(top.Zip(top.Skip(1), (a, b) => a.Score >= b.Score).All(x => x));
    }

    private (UserEncoder Encoder, CardMatrix Cards) Setup()
        => (new UserEncoder(model.Package), new CardFuser(model.Package).FuseMatrix(model.Items));

    private UserSequence User(CardMatrix cards, int[] rows)
        => new(Prompt(), rows.Select(r => new HistoryEntry(cards.Row(r).ToArray(), r % 2 == 0 ? EventType.View : EventType.Purchase)).ToList());

    /// <summary>The next-item task piece; random rows stand in for MiniLM here, as in training.</summary>
    private float[] Prompt()
    {
        var s = model.Package.Sizes;
        var random = new Random(11);
        return Enumerable.Range(0, s.TextDim).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
    }
}

using Microsoft.ML.OnnxRuntime;
using Urm.Core.Events;
using Urm.Core.Features;
using Urm.Core.Models.Runtime;
using Urm.Offline.FeatureFiles;

namespace Urm.Core.Tests.Models;

/// <summary>ONNX Runtime in C# reproduces the trainer's PyTorch outputs on its parity fixtures (1e-4).</summary>
[Collection(TinyModelCollection.Name)]
public sealed class ParityTests(TinyModel model)
{
    private const float Tolerance = 1e-4f;

    [Fact]
    public void Fusion_graph_reproduces_pytorch_cards()
    {
        var expected = Fixture("fusion", "card");
        var actual = RunGraph(model.Package.Fusion, "fusion", ["text", "image", "image_mask"], ["attr_tokens", "price_bucket", "id_index"], "card");
        AssertClose(expected.Values, actual);
    }

    [Fact]
    public void User_graph_reproduces_pytorch_user_vectors()
    {
        var expected = Fixture("user", "user_vectors");
        var actual = RunGraph(model.Package.User, "user", ["prompt", "prompt_mask", "history_cards", "history_mask"], ["history_events"], "user_vectors");
        AssertClose(expected.Values, actual);
    }

    [Fact]
    public void CardFuser_fed_from_item_features_reproduces_pytorch_cards()
    {
        var s = model.Package.Sizes;
        var text = Fixture("fusion", "text");
        var image = Fixture("fusion", "image");
        var mask = Fixture("fusion", "image_mask");
        var tokens = Ints("fusion", "attr_tokens");
        var price = Ints("fusion", "price_bucket");
        var ids = Ints("fusion", "id_index");
        var idOf = model.Package.Manifest.IdTable.ToDictionary(e => (long)e.Value, e => e.Key);
        var t = tokens.Shape[1];
        var items = Enumerable.Range(0, mask.Shape[0]).Select(i => new ItemFeatures(
            ids.Values[i] > 0 ? idOf[ids.Values[i]] : $"not-in-id-table-{i}",
            "hash",
            text.Values.AsSpan(i * s.TextDim, s.TextDim).ToArray(),
            mask.Values[i] > 0 ? image.Values.AsSpan(i * s.ImageDim, s.ImageDim).ToArray() : null,
            tokens.Values.AsSpan(i * t, t).ToArray().Where(x => x > 0).Select(x => (int)x).ToArray(),
            (int)price.Values[i])).ToList();

        // A batch size below n also exercises the batching.
        var (cards, lenders) = new CardFuser(model.Package, batchSize: 2).FuseWithLenders(items);

        AssertClose(Fixture("fusion", "card").Values, cards);
        // The items outside the idTable have lenders, and the graph names them as PyTorch does.
        var lent = Ints("fusion", "lender").Values;
        Assert.Contains(lent, l => l > 0);
        Assert.Equal(lent.Select(l => l > 0 ? idOf[l] : null), lenders);
        Assert.All(lenders.Where((_, i) => ids.Values[i] > 0), Assert.Null);
    }

    [Fact]
    public void UserEncoder_fed_from_cards_and_events_reproduces_pytorch_user_vectors()
    {
        var s = model.Package.Sizes;
        var prompt = Fixture("user", "prompt");
        var promptMask = Fixture("user", "prompt_mask");
        var cards = Fixture("user", "history_cards");
        var mask = Fixture("user", "history_mask");
        var events = Ints("user", "history_events");
        var typeOf = model.Package.Manifest.EventTypes.Where(e => e.Value > 0)
            .ToDictionary(e => (long)e.Value, e => Enum.Parse<EventType>(e.Key, ignoreCase: true));
        int b = prompt.Shape[0], p = prompt.Shape[1], l = cards.Shape[1];
        var users = new List<UserSequence>();
        for (var u = 0; u < b; u++)
        {
            // A masked prompt piece is the same as an absent one.
            var pieces = Enumerable.Range(0, p).Where(j => promptMask.Values[u * p + j] > 0)
                .SelectMany(j => prompt.Values.AsSpan((u * p + j) * s.TextDim, s.TextDim).ToArray()).ToArray();
            var history = Enumerable.Range(0, l).Where(j => mask.Values[u * l + j] > 0)
                .Select(j => new HistoryEntry(cards.Values.AsSpan((u * l + j) * s.DCard, s.DCard).ToArray(), typeOf[events.Values[u * l + j]]))
                .ToList();
            users.Add(new UserSequence(pieces, history));
        }

        var vectors = new UserEncoder(model.Package).EncodeBatch(users);

        AssertClose(Fixture("user", "user_vectors").Values, vectors.SelectMany(v => v).ToArray());
    }

    private NpyArray<float> Fixture(string graph, string name) => NpyReader.Float32(Path.Combine(model.Directory, "parity", graph, name + ".npy"));

    private NpyArray<long> Ints(string graph, string name) => NpyReader.Int64(Path.Combine(model.Directory, "parity", graph, name + ".npy"));

    private float[] RunGraph(InferenceSession session, string graph, string[] floats, string[] longs, string output)
    {
        var values = new List<OrtValue>();
        try
        {
            var inputs = new Dictionary<string, OrtValue>();
            foreach (var name in floats)
            {
                var a = Fixture(graph, name);
                values.Add(inputs[name] = OrtValue.CreateTensorValueFromMemory(a.Values, a.Shape.Select(d => (long)d).ToArray()));
            }
            foreach (var name in longs)
            {
                var a = Ints(graph, name);
                values.Add(inputs[name] = OrtValue.CreateTensorValueFromMemory(a.Values, a.Shape.Select(d => (long)d).ToArray()));
            }
            using var run = new RunOptions();
            using var results = session.Run(run, inputs, [output]);
            return results[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= Tolerance, $"largest difference {worst} > {Tolerance}");
    }
}

using Urm.Core.Features;
using Urm.Core.Features.Text;

namespace Urm.Core.Tests.Features;

public class TextEncoderTests(TextEncoderFixture fixture) : IClassFixture<TextEncoderFixture>
{
    private readonly TextEncoder _encoder = fixture.Encoder;

    [Fact]
    public void The_published_example_sentence_gives_the_published_vector()
    {
        var vector = _encoder.Encode("This is an example sentence");

        Assert.Equal(384, vector.Length);
        float[] published = [0.0677f, 0.0635f, 0.0487f, 0.0793f];
        for (var i = 0; i < published.Length; i++)
            Assert.InRange(vector[i], published[i] - 1e-3f, published[i] + 1e-3f);
        Assert.InRange(vector.Sum(v => v * v), 0.999f, 1.001f);
        Assert.Equal(ExecutionProvider.Cpu, _encoder.Provider);
    }

    [Fact]
    public void Paraphrases_are_far_closer_than_unrelated_products()
    {
        var vectors = _encoder.Encode(["red running shoes", "crimson jogging sneakers", "stainless steel saucepan"]);

        var similar = VectorMath.Cosine(vectors[0], vectors[1]);
        var unrelated = VectorMath.Cosine(vectors[0], vectors[2]);
        Assert.True(similar > unrelated + 0.3, $"paraphrase {similar:F3}, unrelated {unrelated:F3}");
    }

    [Fact]
    public void A_padded_batch_gives_the_same_vectors_as_one_text_at_a_time()
    {
        string[] texts = ["short", "a somewhat longer product title with several words in it", "Café crème brûlée"];

        var batch = _encoder.Encode(texts);

        for (var i = 0; i < texts.Length; i++)
        {
            var single = _encoder.Encode(texts[i]);
            for (var d = 0; d < single.Length; d++) Assert.Equal(single[d], batch[i][d], 1e-4f);
        }
    }

    [Fact]
    public void Runs_sorted_by_length_give_every_text_its_own_vector_in_the_callers_order()
    {
        string[] texts = ["a long title about a moisturising face cream with vitamin e and shea butter for dry skin", "lipstick",
            "shampoo for curly hair", "nail polish remover pads, acetone free, pack of thirty", "mascara", "body lotion"];
        using var sorted = TextEncoder.Load(new TextEncoderOptions(Session: new EncoderSessionOptions(IntraOpThreads: 1), LengthSortedRun: 2));
        using var whole = TextEncoder.Load(new TextEncoderOptions(Session: new EncoderSessionOptions(IntraOpThreads: 1), LengthSortedRun: 0));

        var byRuns = sorted.Encode(texts);
        var oneBatch = whole.Encode(texts);

        for (var i = 0; i < texts.Length; i++)
        {
            var single = _encoder.Encode(texts[i]);
            for (var d = 0; d < single.Length; d++)
            {
                Assert.Equal(single[d], byRuns[i][d], 1e-4f);
                Assert.Equal(single[d], oneBatch[i][d], 1e-4f);
            }
        }
        Assert.Equal(sorted.Tokenize(texts).Length, whole.Tokenize(texts).Length);   // Tokenize itself still pads to the longest
    }

    [Fact]
    public void Catalog_runs_get_every_core_with_the_same_vectors_and_share_an_encoder_that_has_them()
    {
        // The fixture's encoder serves requests with one thread: catalog runs get a session of their own.
        using var own = new CatalogTextEncoder(_encoder, new TextEncoderOptions(Session: new EncoderSessionOptions(IntraOpThreads: 1)));
        Assert.True(own.HasOwnSession);
        string[] texts = ["hydrating face cream", "a long title about nail polish remover pads, acetone free"];
        var expected = _encoder.Encode(texts);
        var got = own.Encode(texts);
        for (var i = 0; i < texts.Length; i++)
            for (var d = 0; d < expected[i].Length; d++) Assert.Equal(expected[i][d], got[i][d], 1e-5f);

        var counting = new CountingTextEncoder();   // a request path already on every core is shared as it is
        using var shared = new CatalogTextEncoder(counting, new TextEncoderOptions(Session: new EncoderSessionOptions(IntraOpThreads: 0)));
        Assert.False(shared.HasOwnSession);
        shared.Encode(texts);
        Assert.Equal(1, counting.Calls);
    }

    [Fact]
    public void Accents_and_case_do_not_change_the_tokens()
    {
        var plain = _encoder.Tokenize(["creme brulee"]);
        var marked = _encoder.Tokenize(["Crème Brûlée"]);
        var decomposed = _encoder.Tokenize(["Cre\u0300me Bru\u0302le\u0301e"]);

        // Invariant globalization makes string.Normalize a no-op, so this guards the folding table.
        Assert.Equal(plain.InputIds, marked.InputIds);
        Assert.Equal(plain.InputIds, decomposed.InputIds);
        Assert.DoesNotContain(100L, marked.InputIds); // [UNK]
    }

    [Fact]
    public void A_very_long_text_is_cut_to_the_token_window_and_still_encodes()
    {
        var longText = string.Join(' ', Enumerable.Repeat("lipstick with a long lasting matte finish", 200));

        var batch = _encoder.Tokenize([longText, "short"]);
        var vector = _encoder.Encode(longText);

        Assert.Equal(256, batch.Length);
        Assert.Equal(101, batch.InputIds[0]);   // [CLS]
        Assert.Equal(102, batch.InputIds[255]); // [SEP] closes the cut text
        Assert.Equal(256, batch.AttentionMask.Take(256).Sum());
        Assert.Equal(3, batch.AttentionMask.Skip(256).Sum()); // [CLS] short [SEP], then padding
        Assert.InRange(vector.Sum(v => v * v), 0.999f, 1.001f);
    }

    [Fact]
    public void Run_writes_into_the_callers_buffer()
    {
        var batch = _encoder.Tokenize(["one", "two"]);
        var output = new float[2 * 384];

        _encoder.Run(batch, output);

        Assert.Equal(_encoder.Encode("two"), output.AsSpan(384, 384).ToArray(), new FloatTolerance(1e-4f));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}

using Urm.Core.Models.Runtime;

namespace Urm.Core.Tests.Models;

[Collection(TinyModelCollection.Name)]
public sealed class CardFuserTests(TinyModel model)
{
    [Fact]
    public void The_same_item_with_and_without_its_image_gets_different_cards()
    {
        var item = model.Items.First(i => i.Image is not null);
        var fuser = new CardFuser(model.Package);

        var cards = fuser.Fuse([item, item with { Image = null }]);

        var d = fuser.Dimension;
        Assert.NotEqual(cards[..d], cards[d..]);
        Assert.Equal(1f, Norm(cards.AsSpan(0, d)), 4);
        Assert.Equal(1f, Norm(cards.AsSpan(d, d)), 4);
    }

    [Fact]
    public void A_new_item_that_reads_like_a_known_one_gets_its_content_part_and_has_it_as_lender()
    {
        var known = model.Items.First(i => model.Package.Manifest.IdTable.ContainsKey(i.Id));
        var fuser = new CardFuser(model.Package);

        var (cards, lenders) = fuser.FuseWithLenders([known, known with { Id = "brand-new-sku" }, known with { Id = "no-text-sku", Text = new float[known.Text.Length] }]);

        // the fused part reads the ID embedding the new SKU lacks; the content part is the known item's
        var d = fuser.Dimension;
        var content = model.Package.Sizes.ContentCard;
        Assert.True(content > 0);
        Assert.Equal(cards[(d - content)..d], cards[(2 * d - content)..(2 * d)], (a, b) => Math.Abs(a - b) < 1e-5f);
        Assert.NotEqual(cards[..(d - content)], cards[d..(2 * d - content)]);
        Assert.Equal(new string?[] { null, known.Id, null }, (IEnumerable<string?>)lenders);   // no text, nothing to compare: no lender
        Assert.Equal(1f, Norm(cards.AsSpan(2 * d, d)), 4);
    }

    [Fact]
    public void Attribute_tokens_beyond_the_trained_width_are_truncated_and_fewer_are_padded()
    {
        var t = model.Package.Sizes.AttributeTokens;
        var item = model.Items[0] with { AttributeTokens = Enumerable.Range(1, t).ToArray() };
        var fuser = new CardFuser(model.Package);

        var cards = fuser.Fuse([item, item with { AttributeTokens = [.. item.AttributeTokens, 42, 43] }, item with { AttributeTokens = [] }]);

        var d = fuser.Dimension;
        Assert.Equal(cards[..d], cards[d..(2 * d)]);
        Assert.NotEqual(cards[..d], cards[(2 * d)..]);
    }

    [Fact]
    public void Features_of_another_model_are_refused_with_the_item_named()
    {
        var fuser = new CardFuser(model.Package);
        var e = Assert.Throws<ArgumentException>(() => fuser.Fuse([model.Items[1] with { AttributeTokens = [TinyModel.AttributeBuckets] }]));
        Assert.Contains("sku-1", e.Message);
        Assert.Contains("attributeBuckets", e.Message);
        Assert.Throws<ArgumentException>(() => fuser.Fuse([model.Items[1] with { Text = new float[10] }]));
    }

    [Fact]
    public void A_card_matrix_of_the_catalog_keeps_ids_and_order()
    {
        var fuser = new CardFuser(model.Package, batchSize: 7);

        var matrix = fuser.FuseMatrix(model.Items);

        Assert.Equal(model.Items.Select(i => i.Id), matrix.Ids);
        Assert.Equal(fuser.Fuse([model.Items[12]]), matrix.Row(12).ToArray());
    }

    internal static float Norm(ReadOnlySpan<float> v) => MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(v, v));
}

using Urm.Core.Features;
using Urm.Core.Features.Cache;

namespace Urm.Core.Tests.Features;

public sealed class FeatureRecordTests
{
    private static ItemFeatures Features(bool image, int price) => new(
        "sku-7", "0f9a",
        Enumerable.Range(0, 384).Select(i => MathF.Sin(i) / 3f).ToArray(),
        image ? Enumerable.Range(0, 512).Select(i => -i / 7f).ToArray() : null,
        [3, 65_535, 17], price);

    [Theory]
    [InlineData(true, 9)]
    [InlineData(false, 9)]
    [InlineData(true, -1)]
    [InlineData(false, -1)]
    public void A_record_decodes_to_what_was_encoded(bool image, int price)
    {
        var original = Features(image, price);

        var decoded = FeatureRecord.Decode(FeatureRecord.Encode(original));

        Assert.Equal(original.Id, decoded.Id);
        Assert.Equal(original.ContentHash, decoded.ContentHash);
        Assert.Equal(original.Text, decoded.Text);
        Assert.Equal(original.Image, decoded.Image);
        Assert.Equal(original.AttributeTokens, decoded.AttributeTokens);
        Assert.Equal(price, decoded.PriceBucket);
    }

    [Fact]
    public void The_bytes_are_the_ones_existing_caches_and_blobs_hold()
    {
        var bytes = FeatureRecord.Encode(new ItemFeatures("i", "h", [1f], null, [5], -1));

        Assert.Equal(
            "01-68-01-69-01-00-00-00-00-00-80-3F-FF-FF-FF-FF-01-00-00-00-05-00-00-00-FF-FF-FF-FF",
            BitConverter.ToString(bytes));
    }

    [Fact]
    public void Bytes_that_are_not_one_record_are_refused_as_invalid_data()
    {
        var bytes = FeatureRecord.Encode(Features(image: true, price: 2));

        Assert.Throws<InvalidDataException>(() => FeatureRecord.Decode(bytes[..^3]));
        Assert.Throws<InvalidDataException>(() => FeatureRecord.Decode([.. bytes, 0]));
        Assert.Throws<InvalidDataException>(() => FeatureRecord.Decode([]));
        // A length that claims far more values than there are bytes: refused before anything is allocated.
        Assert.Throws<InvalidDataException>(() => FeatureRecord.Decode([0x01, 0x68, 0x01, 0x69, 0xFF, 0xFF, 0xFF, 0x7F]));
    }
}

using Urm.Functions.Storage;

namespace Urm.Functions.Tests;

/// <summary>What the model function reads: the pointer <c>models/active.json</c>.</summary>
public sealed class ModelPointerTests
{
    [Theory]
    [InlineData("""{"version": "20261128-abc"}""", "20261128-abc")]
    [InlineData("""{"version": "v3/"}""", "v3")]
    public void The_pointer_names_a_version(string json, string version)
        => Assert.Equal(version, BlobModelActivator.ReadVersion(json));

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"version": ""}""")]
    [InlineData("""{"version": "../secrets"}""")]
    [InlineData("""{"version": 3}""")]
    [InlineData("nope")]
    public void A_bad_pointer_says_what_it_should_be(string json)
    {
        var error = Assert.Throws<FormatException>(() => BlobModelActivator.ReadVersion(json));
        Assert.Contains("{\"version\": \"<version>\"}", error.Message);
    }
}

namespace Urm.Core.Tests.Models;

/// <summary>Encoding, index and host tests share one <see cref="EncodingModel"/>, so the trainer runs once.</summary>
[CollectionDefinition(Name)]
public sealed class EncodingModelCollection : ICollectionFixture<EncodingModel>
{
    public const string Name = "encoding model";
}

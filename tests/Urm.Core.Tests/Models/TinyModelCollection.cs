namespace Urm.Core.Tests.Models;

/// <summary>Every model test class shares one <see cref="TinyModel"/>, so the trainer runs once.</summary>
[CollectionDefinition(Name)]
public sealed class TinyModelCollection : ICollectionFixture<TinyModel>
{
    public const string Name = "tiny model";
}

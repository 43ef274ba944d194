namespace Urm.Cli.Tests.Serve;

/// <summary>The HTTP tests share one running `urm serve`, so the model is trained and the server started once.</summary>
[CollectionDefinition(Name)]
public sealed class ServeCollection : ICollectionFixture<ServeFixture>
{
    public const string Name = "urm serve";
}

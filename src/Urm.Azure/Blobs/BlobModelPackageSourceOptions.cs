namespace Urm.Azure.Blobs;

/// <param name="Container">The blob container of model packages (setting <c>Models__Container</c>).</param>
/// <param name="LocalRoot">Where packages are downloaded: the instance's local disk (default: the temp folder's urm/models).</param>
public sealed record BlobModelPackageSourceOptions(string Container = "models", string? LocalRoot = null)
{
    public string EffectiveLocalRoot => LocalRoot ?? Path.Combine(Path.GetTempPath(), "urm", "models");
}

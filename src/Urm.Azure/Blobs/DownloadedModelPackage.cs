using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;

namespace Urm.Azure.Blobs;

/// <summary>A model package on local disk, its graph files checked against the manifest; ready for <see cref="ModelHost.ActivateAsync"/>.</summary>
/// <param name="Reused">Whether an earlier, still intact download was used instead of downloading again.</param>
public sealed record DownloadedModelPackage(string Version, string Directory, ModelManifest Manifest, int Files, bool Reused);

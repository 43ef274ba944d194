using Microsoft.Extensions.Logging;
using Urm.Azure.Blobs;
using Urm.Core.Cards;
using Urm.Core.Models;

namespace Urm.Functions.Storage;

/// <summary>
/// Reads the pointer <c>models/active.json</c> (<c>{"version": "&lt;v&gt;"}</c>), downloads and checks
/// <c>models/&lt;v&gt;/</c> (<see cref="BlobModelPackageSource"/>: SHA-256 of each graph against the
/// manifest), activates it through <see cref="ModelHost"/> (validate, warm up, swap) and re-fuses the
/// cards from cached raw features, so they are stamped with, and servable by, the new model.
/// </summary>
public sealed class BlobModelActivator(BlobModelPackageSource packages, ModelHost models, CatalogEncoder encoder, ILogger<BlobModelActivator> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <returns>The active version, or null when there is no pointer yet.</returns>
    public async Task<string?> ActivateAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var version = await packages.ReadActiveVersionAsync(cancellationToken).ConfigureAwait(false);
            if (version is null || models.ActiveVersion == version) return version;
            var package = await packages.DownloadAsync(version, cancellationToken).ConfigureAwait(false);
            var active = await models.ActivateAsync(package.Directory, cancellationToken).ConfigureAwait(false);
            var report = await encoder.ReFuseAsync(cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Model {Version} active; {Fused} cards re-fused, {Missing} without cached features", active, report.Fused, report.MissingFeatures);
            return active;
        }
        finally
        {
            _gate.Release();
        }
    }
}

using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Urm.Core.Models.Package;

namespace Urm.Azure.Blobs;

/// <summary>
/// Model packages in blob storage: <c>&lt;container&gt;/active.json</c> names a version, <c>&lt;container&gt;/&lt;version&gt;/</c>
/// holds it. A package is downloaded into a temporary folder beside its final one, checked
/// (<see cref="ModelPackage.VerifyFiles"/>: manifest, both graphs, their SHA-256) and only then moved into
/// place, so a half-downloaded or corrupt package never sits where a loader would take it.
/// </summary>
public sealed class BlobModelPackageSource(BlobServiceClient blobs, BlobModelPackageSourceOptions? options = null, ILogger<BlobModelPackageSource>? logger = null)
{
    private readonly BlobModelPackageSourceOptions _options = options ?? new BlobModelPackageSourceOptions();
    private readonly ILogger _logger = logger ?? NullLogger<BlobModelPackageSource>.Instance;
    // One download per instance at a time: two triggers for the same pointer would race on one folder.
    private readonly SemaphoreSlim _gate = new(1, 1);

    private BlobContainerClient Container => blobs.GetBlobContainerClient(_options.Container);

    /// <returns>The version the pointer names, or null when there is no pointer yet (no model uploaded).</returns>
    /// <exception cref="FormatException">The pointer is not <c>{"version": "&lt;v&gt;"}</c>.</exception>
    public async Task<string?> ReadActiveVersionAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = await Container.GetBlobClient(ModelPointer.BlobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return ModelPointer.ReadVersion(content.Value.Content.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <returns>The package the pointer names, downloaded and checked; null when there is no pointer yet.</returns>
    /// <exception cref="ModelPackageException">The named version has no files, or its files are refused.</exception>
    public async Task<DownloadedModelPackage?> DownloadActiveAsync(CancellationToken cancellationToken)
    {
        var version = await ReadActiveVersionAsync(cancellationToken).ConfigureAwait(false);
        return version is null ? null : await DownloadAsync(version, cancellationToken).ConfigureAwait(false);
    }

    /// <exception cref="ModelPackageException">The version has no files, or its files are refused (the message names the blob).</exception>
    public async Task<DownloadedModelPackage> DownloadAsync(string version, CancellationToken cancellationToken)
    {
        version = ModelPointer.ReadVersion(System.Text.Json.JsonSerializer.Serialize(new { version }));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var root = Path.GetFullPath(_options.EffectiveLocalRoot);
            var target = Path.Combine(root, version);
            if (Directory.Exists(target) && TryVerify(target) is { } kept)
                return new DownloadedModelPackage(version, target, kept, Directory.GetFiles(target, "*", SearchOption.AllDirectories).Length, Reused: true);

            var partial = Path.Combine(root, $".{version}.{Guid.NewGuid():N}.partial");
            try
            {
                var files = await DownloadFolderAsync(version, partial, cancellationToken).ConfigureAwait(false);
                ModelManifest manifest;
                try
                {
                    manifest = ModelPackage.VerifyFiles(partial);
                }
                catch (ModelPackageException e)
                {
                    var blob = $"{_options.Container}/{version}/{Path.GetRelativePath(partial, e.File).Replace('\\', '/')}";
                    throw new ModelPackageException(blob, $"refused after download: {e.Message}",
                        $"Upload {_options.Container}/{version}/ again as the trainer wrote it, then write {_options.Container}/{ModelPointer.BlobName}", e);
                }
                if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
                Directory.Move(partial, target);
                _logger.LogInformation("Model package {Version}: {Files} files downloaded to {Directory} and checked", version, files, target);
                return new DownloadedModelPackage(version, target, manifest, files, Reused: false);
            }
            finally
            {
                if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static ModelManifest? TryVerify(string directory)
    {
        try
        {
            return ModelPackage.VerifyFiles(directory);
        }
        catch (ModelPackageException)
        {
            // Damaged since (or left by an older build): downloaded again.
            return null;
        }
    }

    private async Task<int> DownloadFolderAsync(string version, string local, CancellationToken cancellationToken)
    {
        var prefix = version + "/";
        var files = 0;
        Directory.CreateDirectory(local);
        await foreach (var item in Container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            var target = Path.GetFullPath(Path.Combine(local, item.Name[prefix.Length..]));
            // A blob name with '..' segments must not write outside the package folder.
            if (!target.StartsWith(local + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await Container.GetBlobClient(item.Name).DownloadToAsync(target, cancellationToken).ConfigureAwait(false);
            files++;
        }
        if (files == 0)
            throw new ModelPackageException($"{_options.Container}/{prefix}",
                $"{_options.Container}/{ModelPointer.BlobName} names version '{version}', but the folder holds no files",
                $"Upload the package (manifest.json, fusion.onnx, user.onnx) to {_options.Container}/{prefix} before writing the pointer, or point at a version that exists");
        return files;
    }
}

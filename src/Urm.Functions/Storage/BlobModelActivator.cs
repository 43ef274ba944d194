using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Urm.Core.Cards;
using Urm.Core.Models;
using Urm.Functions.Options;

namespace Urm.Functions.Storage;

/// <summary>
/// Reads the pointer <c>models/active.json</c> (<c>{"version": "&lt;v&gt;"}</c>), downloads <c>models/&lt;v&gt;/</c> to
/// a local folder, activates it through <see cref="ModelHost"/> (validate, warm up, swap) and re-fuses the
/// cards from cached raw features, so they are stamped with, and servable by, the new model.
/// </summary>
public sealed class BlobModelActivator(BlobServiceClient blobs, IOptions<ModelsOptions> options, ModelHost models, CatalogEncoder encoder, ILogger<BlobModelActivator> logger)
{
    public const string PointerBlob = "active.json";

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Where downloaded packages go: the instance's local disk, not the shared file share.</summary>
    public static string LocalRoot => Path.Combine(Path.GetTempPath(), "urm", "models");

    /// <returns>The active version, or null when there is no pointer yet.</returns>
    public async Task<string?> ActivateAsync(CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(options.Value.Container);
        var pointer = container.GetBlobClient(PointerBlob);
        if (!await pointer.ExistsAsync(cancellationToken).ConfigureAwait(false)) return null;
        var content = await pointer.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        var version = ReadVersion(content.Value.Content.ToString());

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (models.ActiveVersion == version) return version;
            var local = Path.Combine(LocalRoot, version);
            var prefix = version.TrimEnd('/') + "/";
            var files = 0;
            await foreach (var item in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
            {
                var target = Path.GetFullPath(Path.Combine(local, item.Name[prefix.Length..]));
                if (!target.StartsWith(Path.GetFullPath(local), StringComparison.Ordinal)) continue;
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await container.GetBlobClient(item.Name).DownloadToAsync(target, cancellationToken).ConfigureAwait(false);
                files++;
            }
            if (files == 0)
                throw new InvalidOperationException($"models/active.json names version '{version}', but {options.Value.Container}/{prefix} holds no files; upload the package before the pointer.");
            var active = await models.ActivateAsync(local, cancellationToken).ConfigureAwait(false);
            var report = await encoder.ReFuseAsync(cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Model {Version} active; {Fused} cards re-fused, {Missing} without cached features", active, report.Fused, report.MissingFeatures);
            return active;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The version in an active.json pointer.</summary>
    /// <exception cref="FormatException">Not <c>{"version": "&lt;v&gt;"}</c> with a plain folder name.</exception>
    public static string ReadVersion(string json)
    {
        try
        {
            var root = JsonDocument.Parse(json).RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String
                && v.GetString() is { Length: > 0 } version && !version.Contains("..", StringComparison.Ordinal) && !version.Contains('\\'))
                return version.Trim('/');
        }
        catch (JsonException)
        {
        }
        throw new FormatException("models/active.json must be {\"version\": \"<version>\"}, naming a folder models/<version>/ that holds manifest.json, fusion.onnx and user.onnx.");
    }
}

using Urm.Azure.Blobs;
using Urm.Core.Features;
using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;

namespace Urm.Functions.Storage;

/// <summary>
/// The models this instance encodes runs with, loaded once per version and kept (at most two: the served
/// one and the one being built), apart from the served <see cref="ModelHost"/>: a chunk is fused by exactly
/// its run's model, whatever this instance serves meanwhile.
/// </summary>
public sealed class RunModels(BlobModelPackageSource packages, EncoderSessionOptions session) : IDisposable
{
    private const int Kept = 2;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<(string Version, ModelHost Host, DownloadedModelPackage Package)> _loaded = [];

    /// <exception cref="ModelPackageException">The package cannot be served.</exception>
    public async Task<(ModelHost Host, DownloadedModelPackage Package)> GetAsync(string version, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var found = _loaded.FindIndex(l => l.Version == version);
            if (found >= 0)
            {
                var hit = _loaded[found];
                _loaded.RemoveAt(found);
                _loaded.Add(hit);
                return (hit.Host, hit.Package);
            }
            var package = await packages.DownloadAsync(version, cancellationToken).ConfigureAwait(false);
            var host = new ModelHost(new ModelHostOptions(session));
            try
            {
                await host.ActivateAsync(package.Directory, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                host.Dispose();
                throw;
            }
            _loaded.Add((version, host, package));
            // A chunk that already leased an evicted model keeps it until done (the package outlives its host
            // while leased); one that got the host but had not leased yet fails and the queue retries it.
            while (_loaded.Count > Kept)
            {
                _loaded[0].Host.Dispose();
                _loaded.RemoveAt(0);
            }
            return (host, package);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var (_, host, _) in _loaded) host.Dispose();
        _loaded.Clear();
        _gate.Dispose();
    }
}

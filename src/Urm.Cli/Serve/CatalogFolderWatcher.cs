using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Urm.Cli.Serve;

/// <summary>
/// Keeps the card store in step with a catalog folder: every catalog file is encoded once at start, and
/// again after it changes (created, written, renamed into the folder), once the changes have been quiet
/// for the debounce interval, into every card set served (the primary model's and, during an experiment,
/// each other arm's, in that order). Reports (<c>*.report.json</c>) are written beside, and ignored; a run
/// that fails as a whole leaves a report saying why (<see cref="CatalogFileEncoder.WriteFailureAsync"/>).
/// </summary>
public sealed class CatalogFolderWatcher(ServeSettings settings, IEnumerable<CatalogFileEncoder> encoders, ILogger<CatalogFolderWatcher> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _pending = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.CatalogDirectory is not { } folder) return;
        Directory.CreateDirectory(folder);
        using var watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
        watcher.Created += (_, e) => Touch(e.FullPath);
        watcher.Changed += (_, e) => Touch(e.FullPath);
        watcher.Renamed += (_, e) => Touch(e.FullPath);
        watcher.EnableRaisingEvents = true;

        foreach (var file in Directory.EnumerateFiles(folder).Where(CatalogFileEncoder.IsCatalog).Order(StringComparer.Ordinal))
            await EncodeAsync(file, stoppingToken).ConfigureAwait(false);

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(50, settings.Debounce.TotalMilliseconds / 4)));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var (path, last) in _pending)
            {
                if (now - last < settings.Debounce || !_pending.TryRemove(new KeyValuePair<string, DateTimeOffset>(path, last))) continue;
                if (File.Exists(path)) await EncodeAsync(path, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private void Touch(string path)
    {
        if (CatalogFileEncoder.IsCatalog(path)) _pending[path] = DateTimeOffset.UtcNow;
    }

    private async Task EncodeAsync(string path, CancellationToken cancellationToken)
    {
        foreach (var encoder in encoders) await EncodeAsync(encoder, path, cancellationToken).ConfigureAwait(false);
    }

    private async Task EncodeAsync(CatalogFileEncoder encoder, string path, CancellationToken cancellationToken)
    {
        try
        {
            var report = await encoder.EncodeAsync(path, cancellationToken).ConfigureAwait(false);
            if (report.Warning is null) logger.LogInformation("Encoded {File}: {Summary}", Path.GetFileName(path), CatalogFileEncoder.Summary(report));
            else logger.LogWarning("Encoded {File}: {Summary}", Path.GetFileName(path), CatalogFileEncoder.Summary(report));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bad upload must not stop the server; the previous cards keep serving.
            logger.LogError("Encoding {File} failed: {Message}", Path.GetFileName(path), e.Message);
            try
            {
                await encoder.WriteFailureAsync(path, e.Message, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException io)
            {
                logger.LogError("Writing the failure report of {File} failed: {Message}", Path.GetFileName(path), io.Message);
            }
        }
    }
}

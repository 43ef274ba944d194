using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Urm.Cli.Commands;
using Urm.Core.Cards;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;
using Urm.Core.Models.Runtime;
using Urm.Core.Runs;
using Urm.Core.Telemetry;

namespace Urm.Cli.Serve;

/// <summary>
/// A catalog file -> cards, through the same chunked run as the Functions app (<see cref="ChunkedCatalogRun"/>:
/// unchanged items skipped, changed ones cut into chunks, retired at the end), its chunks encoded here in
/// this process, with the run's report written beside the file as <c>&lt;name&gt;.report.json</c>.
/// One run at a time: two snapshots encoded together would retire each other's items.
/// </summary>
/// <param name="store">The card set written: the store's default set, or during an experiment an arm's own (named after its model version).</param>
/// <param name="runs">Where the runs' files go (a folder beside the store).</param>
/// <param name="cardSet">The name of <paramref name="store"/>'s set; a set other than the default writes its report as <c>&lt;name&gt;.&lt;set&gt;.report.json</c>.</param>
/// <param name="metrics">Where the runs are counted; null: not counted.</param>
public sealed class CatalogFileEncoder(ICardStore store, ModelHost models, ITextEncoder text, IFeatureCache cache, EncoderSessionOptions session, FolderRunStore runs,
    string cardSet = CardSetNames.Default, UrmMetrics? metrics = null, ImagePrecision imagePrecision = ImagePrecision.Fp32) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HttpClient _http = new();

    public const string ReportSuffix = ".report.json";

    public static string ReportPath(string catalogPath)
        => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(catalogPath))!, Path.GetFileNameWithoutExtension(catalogPath) + ReportSuffix);

    /// <summary>Where this encoder's run reports on <paramref name="catalogPath"/>: beside it, named after the card set unless it is the default one.</summary>
    public string ReportPathOf(string catalogPath)
    {
        if (cardSet == CardSetNames.Default) return ReportPath(catalogPath);
        // A model version may hold characters a file name cannot.
        var set = string.Concat(cardSet.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(catalogPath))!, $"{Path.GetFileNameWithoutExtension(catalogPath)}.{set}{ReportSuffix}");
    }

    /// <summary>Whether a file in a watched folder is a catalog (by extension), not a report or anything else.</summary>
    public static bool IsCatalog(string path)
    {
        var name = Path.GetFileName(path);
        if (name.StartsWith('.') || name.EndsWith(ReportSuffix, StringComparison.OrdinalIgnoreCase)) return false;
        return CatalogFormats.TryFromPath(name, out _);
    }

    public Task<CatalogEncodingReport> EncodeAsync(string catalogPath, CancellationToken cancellationToken)
        => EncodeAsync(catalogPath, allowMassRetire: false, cancellationToken);

    /// <param name="allowMassRetire">The snapshot is meant to drop more than the retire limit of the live catalog.</param>
    public async Task<CatalogEncodingReport> EncodeAsync(string catalogPath, bool allowMassRetire, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(catalogPath);
        var format = CatalogFormats.FromPath(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var lease = models.Acquire();
            using var images = lease.Package.Manifest.Modalities.Contains("image")
                ? LocalImageEncoder.Load(_http, Path.GetDirectoryName(path)!, session, imagePrecision)
                : null;
            var run = new ChunkedCatalogRun(runs, metrics: metrics);
            var request = new RunRequest(path, File.GetLastWriteTimeUtc(path).Ticks.ToString(CultureInfo.InvariantCulture), lease.Version, cardSet, allowMassRetire, Activates: false);
            var plan = await run.PlanAsync(request, _ => Task.FromResult<Stream>(OpenShared(path)), format, store, cancellationToken).ConfigureAwait(false);
            CatalogEncodingReport report;
            try
            {
                // One worker: the encoders already use every core, so a second would only take turns with the first.
                report = await run.RunInProcessAsync(plan, () => new CatalogEncoder(store, models, text, images, cache), workers: 1, store, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                runs.Delete(plan.RunId);
            }
            // Make the run's features durable now: a later re-encode reads them instead of recomputing.
            await cache.FlushAsync(cancellationToken).ConfigureAwait(false);
            await report.WriteAsync(ReportPathOf(path), cancellationToken).ConfigureAwait(false);
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The report of a run that failed as a whole (no usable row, an unreadable file): <c>failed</c>, the
    /// <c>error</c> that says what to fix, and when. Whoever dropped the file finds it beside the file,
    /// as they find a successful run's report; the cards already in the store keep serving.
    /// </summary>
    public async Task WriteFailureAsync(string catalogPath, string error, CancellationToken cancellationToken)
    {
        var report = new JsonObject { ["failed"] = true, ["error"] = error, ["failedAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) };
        // Written beside and moved into place, as a run's report is (CatalogEncodingReport.WriteAsync).
        var partial = ReportPathOf(catalogPath) + ".partial";
        await File.WriteAllTextAsync(partial, report.ToJsonString(Indented), cancellationToken).ConfigureAwait(false);
        File.Move(partial, ReportPathOf(catalogPath), overwrite: true);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Summary(CatalogEncodingReport r)
        => $"{r.RowsRead:N0} rows: {r.Accepted:N0} accepted, {r.Rejected:N0} rejected; {r.Fused:N0} fused, {r.SkippedUnchanged:N0} unchanged, {r.Retired:N0} retired; model {r.ModelVersion}, catalog version {r.CatalogVersion}, {r.Seconds:F1} s"
           + (r.Warning is null ? "" : $". {r.Warning}");

    public void Dispose()
    {
        _gate.Dispose();
        _http.Dispose();
    }

    // A file still being written by another process can be read; the watcher re-encodes once it settles.
    private static FileStream OpenShared(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
}

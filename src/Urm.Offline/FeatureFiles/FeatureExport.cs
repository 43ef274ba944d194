using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Attributes;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;

namespace Urm.Offline.FeatureFiles;

/// <summary>
/// Catalog file -> features directory (docs/FORMATS.md): reads the catalog (bad rows reported and
/// skipped), extracts raw features through the cache, writes the exchange files and report.json.
/// </summary>
public static class FeatureExport
{
    private static readonly JsonSerializerOptions ReportJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <param name="progress">Told the number of items written so far, once per batch.</param>
    public static async Task<FeatureExportReport> RunAsync(
        string catalogPath,
        string outDir,
        ITextEncoder text,
        IImageEncoder? images,
        IFeatureCache cache,
        IProgress<int>? progress,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var read = new ReadReport();
        var problems = new ImageProblemLog();
        var extractor = new ItemFeatureExtractor(text, images, cache, problems);

        await using (var writer = new FeatureDirectoryWriter(outDir, AttributeTokens.Buckets, PriceBucket.Count))
        {
            var written = 0;
            await foreach (var (item, features) in extractor.ExtractAsync(WithHashes(CatalogReader.ReadAsync(catalogPath, read, cancellationToken), cancellationToken), cancellationToken))
            {
                await writer.WriteAsync(features, item.Category, cancellationToken);
                if (++written % 64 == 0) progress?.Report(written);
            }
            progress?.Report(written);
        }
        await cache.FlushAsync(cancellationToken);

        var report = new FeatureExportReport(
            Path.GetFullPath(catalogPath), read.RowsRead, read.Accepted, read.Rejected, read.Errors,
            problems.Problems.ToList(), extractor.Counts, clock.Elapsed.TotalSeconds);
        await File.WriteAllTextAsync(Path.Combine(outDir, "report.json"), JsonSerializer.Serialize(report, ReportJson), cancellationToken);
        return report;
    }

    private static async IAsyncEnumerable<(CatalogItem Item, string ContentHash)> WithHashes(
        IAsyncEnumerable<CatalogItem> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in items.WithCancellation(cancellationToken))
            yield return (item, ContentHash.Compute(item));
    }
}

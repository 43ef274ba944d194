using System.CommandLine;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;
using Urm.Offline.FeatureFiles;

namespace Urm.Cli.Commands;

/// <summary>`urm features`: a catalog into the raw-feature files the trainer reads.</summary>
public static class FeaturesCommand
{
    public static Command Create()
    {
        var catalog = new Option<FileInfo>("--catalog") { Description = "The catalog file (.jsonl or .csv).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "The features directory to write.", Required = true };
        var images = new Option<DirectoryInfo?>("--images") { Description = "Where relative image paths are resolved (default: the catalog's folder)." };
        var cache = new Option<DirectoryInfo?>("--cache") { Description = "Feature cache folder, keyed by content hash (default: OUT/cache); with int8 text or images the folder's name gets '-int8', '-images-int8' or '-int8-images-int8'." };
        var noImages = new Option<bool>("--no-images") { Description = "Encode without images." };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads per encoder (0: all cores).", DefaultValueFactory = _ => 0 };
        var precision = TextPrecisionOption.Create();
        var imagePrecision = ImagePrecisionOption.Create();
        var command = new Command("features", "Encode a catalog into raw item features (text, image, attributes, price) for training.")
        {
            catalog, output, images, cache, noImages, threads, precision, imagePrecision,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var catalogFile = parse.GetValue(catalog)!;
            var outDir = parse.GetValue(output)!.FullName;
            var imageRoot = parse.GetValue(images)?.FullName ?? catalogFile.DirectoryName!;
            var session = new EncoderSessionOptions(IntraOpThreads: parse.GetValue(threads));
            if (!catalogFile.Exists) throw new FileNotFoundException($"The catalog '{catalogFile.FullName}' does not exist.");

            var textPrecision = TextPrecisionOption.Read(parse, precision);
            var imagesPrecision = ImagePrecisionOption.Read(parse, imagePrecision);
            using var text = TextEncoder.Load(new TextEncoderOptions(Session: session, Precision: textPrecision));
            using var http = new HttpClient();
            using var imageEncoder = parse.GetValue(noImages)
                ? null
                : LocalImageEncoder.Load(http, imageRoot, session, imagesPrecision);
            using var featureCache = new FileFeatureCache(FeatureVariant.Folder(parse.GetValue(cache)?.FullName ?? Path.Combine(outDir, "cache"), textPrecision, imageEncoder?.Precision ?? ImagePrecision.Fp32));

            Console.Error.WriteLine($"Encoding {catalogFile.Name} on {text.Provider} ({TextEncoderOptions.PrecisionName(text.Precision)} text) and {(imageEncoder is null ? "no images" : $"{imageEncoder.Provider} ({ImageEncoderOptions.PrecisionName(imageEncoder.Precision)} images)")}...");
            var progress = new ProgressLine("items");
            var report = await FeatureExport.RunAsync(catalogFile.FullName, outDir, text, imageEncoder, featureCache, progress, cancellationToken);
            progress.Finish();

            var counts = report.Counts;
            Console.WriteLine($"""
                {report.Accepted:N0} items written to {outDir} in {report.ElapsedSeconds:F1} s ({counts.Items / Math.Max(report.ElapsedSeconds, 1e-9):F1} items/s)
                  rows read {report.RowsRead:N0}, rejected {report.Rejected:N0}
                  text encoded {counts.TextsEncoded:N0}, images encoded {counts.ImagesEncoded:N0}, from cache {counts.CacheHits:N0}, image problems {counts.ImageProblems:N0}
                  details: {Path.Combine(outDir, "report.json")}
                """);
            foreach (var error in report.Errors.Take(10))
                Console.WriteLine($"  rejected line {error.Line}{(error.ItemId is null ? "" : $" ({error.ItemId})")}: {error.Reason}");
            if (report.Rejected > 10) Console.WriteLine($"  ... {report.Rejected - 10:N0} more in report.json");
        }));
        return command;
    }
}

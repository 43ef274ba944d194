using System.CommandLine;
using Urm.Core.Events;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;
using Urm.Offline.FeatureFiles;
using Urm.Offline.Training;

namespace Urm.Cli.Commands;

/// <summary>`urm train`: features, prompt embeddings and the Python trainer in one command.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var catalog = new Option<FileInfo>("--catalog") { Description = "The catalog file (.jsonl or .csv).", Required = true };
        var events = new Option<FileSystemInfo>("--events") { Description = "The events file (user_id,item_id,event,timestamp), or a folder of JSON Lines event files such as the event archive (yyyy/MM/dd/*.jsonl, urm serve's events folder or the events blob container copied down).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "The model directory to write (fusion.onnx, user.onnx, manifest.json).", Required = true };
        var features = new Option<DirectoryInfo?>("--features") { Description = "Where raw features go (default: OUT/features); reused across runs through its cache." };
        var epochs = new Option<int?>("--epochs") { Description = "Override the trainer's epoch cap." };
        var config = new Option<FileInfo?>("--config") { Description = "A JSON file overriding trainer settings (see src/trainer/urm_train/config.py)." };
        var noImages = new Option<bool>("--no-images") { Description = "Encode without images." };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads per encoder (0: all cores).", DefaultValueFactory = _ => 0 };
        var precision = TextPrecisionOption.Create();
        var imagePrecision = ImagePrecisionOption.Create();
        var command = new Command("train", "Train a model on a shop's catalog and events.") { catalog, events, output, features, epochs, config, noImages, threads, precision, imagePrecision };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var catalogFile = parse.GetValue(catalog)!;
            var eventsPath = parse.GetValue(events)!;
            var modelDir = parse.GetValue(output)!.FullName;
            var featuresDir = parse.GetValue(features)?.FullName ?? Path.Combine(modelDir, "features");
            if (!catalogFile.Exists) throw new FileNotFoundException($"'{catalogFile.FullName}' does not exist.");
            if (!File.Exists(eventsPath.FullName) && !Directory.Exists(eventsPath.FullName))
                throw new FileNotFoundException($"'{eventsPath.FullName}' is neither an events file nor a folder.");
            var eventsFile = eventsPath.FullName;
            if (Directory.Exists(eventsFile))
            {
                // The trainer reads one file: the folder's files joined, beside the features (its hash goes into the manifest).
                Directory.CreateDirectory(featuresDir);
                var joined = Path.Combine(featuresDir, "events.jsonl");
                var (files, lines) = await EventFolder.JoinAsync(eventsFile, joined, cancellationToken);
                Console.Error.WriteLine($"0/3 {lines:N0} events from {files:N0} files in {eventsFile} -> {joined}");
                eventsFile = joined;
            }

            var trainer = PythonTrainer.Default();
            await trainer.CheckAsync(cancellationToken);

            var session = new EncoderSessionOptions(IntraOpThreads: parse.GetValue(threads));
            var textPrecision = TextPrecisionOption.Read(parse, precision);
            using (var text = TextEncoder.Load(new TextEncoderOptions(Session: session, Precision: textPrecision)))
            {
                using var http = new HttpClient();
                using var images = parse.GetValue(noImages)
                    ? null
                    : LocalImageEncoder.Load(http, catalogFile.DirectoryName!, session, ImagePrecisionOption.Read(parse, imagePrecision));
                using var cache = new FileFeatureCache(FeatureVariant.Folder(Path.Combine(featuresDir, "cache"), textPrecision, images?.Precision ?? ImagePrecision.Fp32));
                Console.Error.WriteLine($"1/3 features of {catalogFile.Name} -> {featuresDir}");
                var progress = new ProgressLine("items");
                var report = await FeatureExport.RunAsync(catalogFile.FullName, featuresDir, text, images, cache, progress, cancellationToken);
                progress.Finish();
                Console.Error.WriteLine($"    {report.Accepted:N0} items ({report.Counts.CacheHits:N0} from cache), {report.Rejected:N0} rows rejected (see report.json)");

                var pieces = await PromptExport.WriteAsync(featuresDir, text, cancellationToken);
                var (queries, queried) = await SearchQueryExport.WriteAsync(catalogFile.FullName, featuresDir, text, cancellationToken);
                Console.Error.WriteLine($"2/3 {pieces} prompt pieces and {queries:N0} search queries of {queried:N0} items embedded");
            }

            Console.Error.WriteLine($"3/3 training -> {modelDir}");
            List<string> arguments = ["train", "--features", featuresDir, "--events", eventsFile, "--out", modelDir];
            if (parse.GetValue(epochs) is { } epochCap) arguments.AddRange(["--epochs", epochCap.ToString()]);
            if (parse.GetValue(config) is { } configFile) arguments.AddRange(["--config", configFile.FullName]);
            var exitCode = await trainer.RunAsync(arguments, line => Console.WriteLine("    " + line), cancellationToken);
            if (exitCode != 0) throw new InvalidDataException($"The trainer stopped with exit code {exitCode}; its messages are above.");
            Console.WriteLine($"Model written to {modelDir}");
        }));
        return command;
    }
}

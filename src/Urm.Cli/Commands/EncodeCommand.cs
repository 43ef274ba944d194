using System.CommandLine;
using Urm.Cli.Serve;
using Urm.Core.Cards;
using Urm.Core.Features;
using Urm.Core.Features.Cache;
using Urm.Core.Features.Text;
using Urm.Core.Models.Runtime;
using Urm.Core.Runs;

namespace Urm.Cli.Commands;

/// <summary>`urm encode`: one incremental encoding run of a catalog file into the card store.</summary>
public static class EncodeCommand
{
    public static Command Create()
    {
        var catalog = new Option<FileInfo>("--catalog") { Description = "The catalog file (.jsonl or .csv): a full snapshot; stored items absent from it are retired.", Required = true };
        var model = new Option<DirectoryInfo>("--model") { Description = "The model directory (manifest.json, fusion.onnx, user.onnx).", Required = true };
        var store = new Option<FileInfo>("--store") { Description = "The SQLite card store file.", DefaultValueFactory = _ => new FileInfo(ServeSettings.DefaultStore) };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads per session (0: all cores).", DefaultValueFactory = _ => 0 };
        var massRetire = new Option<bool>("--allow-mass-retire") { Description = "The snapshot is meant to drop more than half of the live catalog: retire every absent item (without it such a run retires nothing and says so)." };
        var precision = TextPrecisionOption.Create();
        var imagePrecision = ImagePrecisionOption.Create();
        var command = new Command("encode", "Encode a catalog into cards (unchanged items are skipped); the report goes beside the catalog as <name>.report.json.") { catalog, model, store, threads, massRetire, precision, imagePrecision };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var settings = new ServeSettings(parse.GetValue(model)!.FullName, parse.GetValue(store)!.FullName, null, ServeSettings.DefaultUrls, parse.GetValue(threads))
            {
                TextPrecision = TextPrecisionOption.Read(parse, precision),
                ImagePrecision = ImagePrecisionOption.Read(parse, imagePrecision),
            };
            var catalogFile = parse.GetValue(catalog)!;
            if (!catalogFile.Exists) throw new FileNotFoundException($"'{catalogFile.FullName}' does not exist.");
            var session = new EncoderSessionOptions(IntraOpThreads: settings.Threads);
            using var host = new ModelHost(new ModelHostOptions(session));
            await host.ActivateAsync(settings.ModelDirectory, cancellationToken);
            using var cards = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(settings.StorePath), cancellationToken);
            using var text = TextEncoder.Load(new TextEncoderOptions(Session: session, Precision: settings.TextPrecision));
            using var cache = new FileFeatureCache(settings.FeatureCacheDirectory);
            using var encoder = new CatalogFileEncoder(cards, host, text, cache, session, new FolderRunStore(settings.RunsDirectory), imagePrecision: settings.ImagePrecision);
            var report = await encoder.EncodeAsync(catalogFile.FullName, parse.GetValue(massRetire), cancellationToken);
            Console.WriteLine(CatalogFileEncoder.Summary(report));
            foreach (var error in report.RowErrors.Take(10)) Console.WriteLine($"  line {error.Line}: {error.Reason}");
            Console.WriteLine($"Report: {CatalogFileEncoder.ReportPath(catalogFile.FullName)}");
        }));
        return command;
    }
}

using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Urm.Cli.Serve;
using Urm.Core.Experiments;

namespace Urm.Cli.Commands;

/// <summary>`urm serve`: the HTTP API (the same routes as the Functions app) on Kestrel, over a local model and SQLite card store.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo[]>("--model")
        {
            Description = "The model directory (manifest.json, fusion.onnx, user.onnx). During an experiment, once more for each arm's model: the first serves requests without a userId or sessionId.",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var experiment = new Option<string?>("--experiment") { Description = "An A/B split between the --model folders' versions, '<versionA>=0.5,<versionB>=0.5' (default: the environment variable Experiment__Arms; docs/EXPERIMENTS.md)." };
        var salt = new Option<string?>("--experiment-salt") { Description = "Mixed into the arm hash; a new salt reshuffles every shopper (default: Experiment__Salt, else the arms' versions)." };
        var store = new Option<FileInfo>("--store") { Description = "The SQLite card store file.", DefaultValueFactory = _ => new FileInfo(ServeSettings.DefaultStore) };
        var catalogDir = new Option<DirectoryInfo?>("--catalog-dir") { Description = "A folder whose catalog file is encoded at start and re-encoded whenever it changes (report: <name>.report.json beside it)." };
        var urls = new Option<string>("--urls") { Description = "Listen addresses, ';'-separated.", DefaultValueFactory = _ => ServeSettings.DefaultUrls };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads per session (0: all cores).", DefaultValueFactory = _ => 0 };
        var eventsDir = new Option<DirectoryInfo?>("--events-dir") { Description = "Where accepted events are written for training (yyyy/MM/dd/*.jsonl; default: the folder 'events' beside the store)." };
        var maxEvents = new Option<int>("--profile-events") { Description = "Events kept per shopper profile (the most recent).", DefaultValueFactory = _ => Urm.Core.Profiles.ProfileOptions.Default.MaxEvents };
        var precision = TextPrecisionOption.Create();
        var imagePrecision = ImagePrecisionOption.Create();
        var command = new Command("serve", "Serve POST /api/recommend, GET /api/items/{id}, GET /api/health, POST /api/events, GET and DELETE /api/users/{id} and /openapi/v1.json.")
            { model, store, catalogDir, urls, threads, eventsDir, maxEvents, experiment, salt, precision, imagePrecision };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var models = parse.GetValue(model)!;
            var settings = new ServeSettings(models[0].FullName, parse.GetValue(store)!.FullName, parse.GetValue(catalogDir)?.FullName, parse.GetValue(urls)!, parse.GetValue(threads))
            {
                Profiles = new Urm.Core.Profiles.ProfileOptions { MaxEvents = parse.GetValue(maxEvents) },
                TextPrecision = TextPrecisionOption.Read(parse, precision),
                ImagePrecision = ImagePrecisionOption.Read(parse, imagePrecision),
                ArmModelDirectories = models.Skip(1).Select(m => m.FullName).ToList(),
                Experiment = parse.GetValue(experiment) is { } arms ? new ExperimentOptions { Arms = arms, Salt = parse.GetValue(salt) } : null,
            };
            if (parse.GetValue(eventsDir) is { } events) settings = settings with { EventsDirectory = events.FullName };
            await using var app = await ServeHost.CreateAsync(settings, cancellationToken);
            await app.StartAsync(cancellationToken);
            Console.WriteLine($"Serving on {string.Join(", ", app.Urls)} (Ctrl+C to stop)");
            await app.WaitForShutdownAsync(cancellationToken);
        }));
        return command;
    }
}

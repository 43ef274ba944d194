using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Urm.Cli.Serve;

namespace Urm.Cli.Commands;

/// <summary>`urm serve`: the HTTP API (the same routes as the Functions app) on Kestrel, over a local model and SQLite card store.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "The model directory (manifest.json, fusion.onnx, user.onnx).", Required = true };
        var store = new Option<FileInfo>("--store") { Description = "The SQLite card store file.", DefaultValueFactory = _ => new FileInfo(ServeSettings.DefaultStore) };
        var catalogDir = new Option<DirectoryInfo?>("--catalog-dir") { Description = "A folder whose catalog file is encoded at start and re-encoded whenever it changes (report: <name>.report.json beside it)." };
        var urls = new Option<string>("--urls") { Description = "Listen addresses, ';'-separated.", DefaultValueFactory = _ => ServeSettings.DefaultUrls };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads per session (0: all cores).", DefaultValueFactory = _ => 0 };
        var command = new Command("serve", "Serve POST /api/recommend, GET /api/items/{id}, GET /api/health and /openapi/v1.json.") { model, store, catalogDir, urls, threads };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var settings = new ServeSettings(parse.GetValue(model)!.FullName, parse.GetValue(store)!.FullName, parse.GetValue(catalogDir)?.FullName, parse.GetValue(urls)!, parse.GetValue(threads));
            await using var app = await ServeHost.CreateAsync(settings, cancellationToken);
            await app.StartAsync(cancellationToken);
            Console.WriteLine($"Serving on {string.Join(", ", app.Urls)} (Ctrl+C to stop)");
            await app.WaitForShutdownAsync(cancellationToken);
        }));
        return command;
    }
}

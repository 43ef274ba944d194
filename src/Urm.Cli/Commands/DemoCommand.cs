using System.CommandLine;
using Urm.Cli.Demo;

namespace Urm.Cli.Commands;

/// <summary>`urm demo`: the README's main command, the whole loop on embedded defaults.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var work = new Option<DirectoryInfo>("--out") { Description = "Where the sample shop, the card store and its feature cache go.", DefaultValueFactory = _ => new DirectoryInfo(DemoSettings.DefaultWorkDirectory) };
        var model = new Option<DirectoryInfo>("--model") { Description = "The model package (default: the demo model shipped with urm, trained on the sample shop).", DefaultValueFactory = _ => new DirectoryInfo(DemoSettings.DefaultModelDirectory) };
        var shopper = new Option<string>("--shopper") { Description = "The sample shopper whose history the requests send.", DefaultValueFactory = _ => "user-7" };
        var command = new Command("demo", "Sample shop -> cards in the embedded store -> the HTTP API answering every task -> an incremental catalog change.") { work, model, shopper };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var settings = new DemoSettings(parse.GetValue(work)!.FullName, parse.GetValue(model)!.FullName) { Shopper = parse.GetValue(shopper)! };
            await new DemoRun(settings, Console.Out).RunAsync(cancellationToken);
        }));
        return command;
    }
}

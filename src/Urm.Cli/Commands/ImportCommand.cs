using System.CommandLine;
using Urm.Offline.Import;

namespace Urm.Cli.Commands;

/// <summary>`urm import movielens|s3rec`: public data sets into our catalog and events formats.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var command = new Command("import", "Convert a public data set into a catalog (catalog.jsonl) and events (events.csv).");
        command.Subcommands.Add(MovieLens());
        command.Subcommands.Add(S3Rec());
        return command;
    }

    private static Command MovieLens()
    {
        var source = new Argument<DirectoryInfo>("dir") { Description = "The MovieLens 100K folder (u.item, u.genre, u.data)." };
        var output = OutOption();
        var command = new Command("movielens", "Import MovieLens 100K.") { source, output };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var summary = await MovieLensImporter.ImportAsync(parse.GetValue(source)!.FullName, parse.GetValue(output)!.FullName, cancellationToken);
            Print(summary);
        }));
        return command;
    }

    private static Command S3Rec()
    {
        var source = new Argument<DirectoryInfo>("dir") { Description = "The folder with NAME.txt, NAME_item2attributes.json and NAME.item_text.jsonl." };
        var name = new Option<string>("--name") { Description = "The data set's file name stem, e.g. Beauty.", Required = true };
        var output = OutOption();
        var command = new Command("s3rec", "Import an S3-Rec style data set (e.g. Amazon Beauty).") { source, name, output };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var summary = await S3RecImporter.ImportAsync(parse.GetValue(source)!.FullName, parse.GetValue(name)!, parse.GetValue(output)!.FullName, cancellationToken);
            Print(summary);
        }));
        return command;
    }

    private static Option<DirectoryInfo> OutOption() =>
        new("--out") { Description = "Where to write catalog.jsonl and events.csv.", Required = true };

    private static void Print(ImportSummary summary) =>
        Console.WriteLine($"{summary.Items:N0} items -> {summary.CatalogPath}\n{summary.Events:N0} events of {summary.Users:N0} users -> {summary.EventsPath}");
}

using System.CommandLine;
using Urm.Offline.Samples;

namespace Urm.Cli.Commands;

/// <summary>`urm sample`: the licence-clean sample shop (catalog, drawn pictures, shopper events) the demo model is trained on.</summary>
public static class SampleCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "The folder to write catalog.jsonl, images/ and events.csv to.", Required = true };
        var items = new Option<int>("--items") { Description = "Number of products.", DefaultValueFactory = _ => SampleShop.DefaultItems };
        var shoppers = new Option<int>("--shoppers") { Description = "Number of shoppers in events.csv.", DefaultValueFactory = _ => SampleShop.DefaultShoppers };
        var command = new Command("sample", "Write the sample shop our own code makes up: products with drawn pictures, and shopper events.") { output, items, shoppers };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (parse.GetValue(items) < 1 || parse.GetValue(shoppers) < 1) throw new ArgumentException("--items and --shoppers must be at least 1.");
            var files = await SampleShop.WriteAsync(parse.GetValue(output)!.FullName, parse.GetValue(items), parse.GetValue(shoppers), cancellationToken);
            Console.WriteLine($"{files.ItemCount} products -> {files.Catalog} (pictures in {files.Images})");
            Console.WriteLine($"{files.EventCount} events of {parse.GetValue(shoppers)} shoppers -> {files.Events}");
        }));
        return command;
    }
}

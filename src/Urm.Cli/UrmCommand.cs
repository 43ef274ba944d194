using System.CommandLine;
using Urm.Cli.Commands;

namespace Urm.Cli;

/// <summary>The `urm` command tree: one sub-command per job, each a thin layer over Core.</summary>
public static class UrmCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Urm: a universal recommendation learner for web shops.");
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(SampleCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(FeaturesCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(EncodeCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(KpiCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(CalibrateImagesCommand.Create());
        return root;
    }
}

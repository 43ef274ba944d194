using System.CommandLine;

namespace Urm.Cli.Commands;

/// <summary>`urm bench ...`: benchmark programs that print figures (never timed assertions in tests).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure speed: print throughput and latency figures.");
        command.Subcommands.Add(BenchEncodeCommand.Create());
        command.Subcommands.Add(BenchRecommendCommand.Create());
        command.Subcommands.Add(BenchLoadCommand.Create());
        command.Subcommands.Add(BenchChunksCommand.Create());
        return command;
    }
}

using System.Diagnostics;
using System.Reflection;

namespace Urm.Infra.Tests;

/// <summary>Runs the Bicep CLI restored from the Azure.Bicep.CommandLine.linux-x64 package.</summary>
public static class BicepCli
{
    public static string Executable { get; } = Metadata("BicepExecutable");

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string Output => (StdOut + StdErr).Trim();
    }

    public static Task<Result> RunAsync(string workingDirectory, params string[] arguments)
        => RunAsync(workingDirectory, new Dictionary<string, string>(), arguments);

    /// <param name="environment">Variables the parameter files read (as deploy.sh sets them).</param>
    public static async Task<Result> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // Keep the CLI offline and quiet: no telemetry, no version check.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // The parameter files read these (deploy.sh sets them); tests compile the defaults.
        start.Environment.Remove("URM_CONTAINER_IMAGE");
        start.Environment.Remove("URM_ENVIRONMENT");
        start.Environment.Remove("URM_SUBSCRIBE_FUNCTIONS");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    private static string Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing; see Urm.Infra.Tests.csproj.");
}

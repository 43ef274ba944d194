using System.Diagnostics;

namespace Urm.Cli.Tests;

/// <summary>Runs `urm` in-process with its console captured; the CLI tests share one collection so captures never interleave.</summary>
public static class CliRun
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<(int ExitCode, string Output, string Errors)> InvokeAsync(params string[] args)
    {
        await Gate.WaitAsync();
        var (stdout, stderr) = (Console.Out, Console.Error);
        try
        {
            using var output = new StringWriter();
            using var errors = new StringWriter();
            Console.SetOut(output);
            Console.SetError(errors);
            var exitCode = await UrmCommand.Create().Parse(args).InvokeAsync();
            return (exitCode, output.ToString(), errors.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            Gate.Release();
        }
    }

    /// <summary>Runs a script in Debian's python3 with numpy: the exchange files must load there.</summary>
    public static string Python(string script)
    {
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"python3 failed: {stderr}");
        return stdout;
    }
}

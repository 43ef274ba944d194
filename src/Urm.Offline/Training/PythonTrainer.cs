using System.Diagnostics;

namespace Urm.Offline.Training;

/// <summary>
/// Runs the Python trainer (`python3 -m urm_train`) that ships next to the program. Training is Python
/// because PyTorch is; Debian's python3 with python3-torch is the supported interpreter.
/// </summary>
public sealed class PythonTrainer(string python, string trainerRoot)
{
    public const string DefaultPython = "/usr/bin/python3";
    public const string InstallHint = "apt-get install python3-torch python3-numpy python3-onnx libopenblas0-pthread";

    /// <summary>The trainer copied into the program's folder at build time.</summary>
    public static string BundledRoot => Path.Combine(AppContext.BaseDirectory, "trainer");

    public static PythonTrainer Default() => new(DefaultPython, BundledRoot);

    /// <summary>Checks that the interpreter, PyTorch and the trainer are all there; says exactly what to install when not.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(python))
            throw new InvalidOperationException($"Training needs Debian's Python at {python}, which is missing. Install it with: {InstallHint}");
        if (!File.Exists(Path.Combine(trainerRoot, "urm_train", "__main__.py")))
            throw new InvalidOperationException($"The trainer was not found under {trainerRoot}: rebuild the project (it is copied there at build time).");
        var (exitCode, output) = await RunCapturedAsync(["-c", "import torch, numpy, onnx; print(torch.__version__)"], cancellationToken);
        if (exitCode != 0)
            throw new InvalidOperationException($"{python} cannot import torch, numpy and onnx ({output.Trim().Split('\n')[^1]}). Install them with: {InstallHint}");
    }

    /// <summary>Runs the trainer with the given arguments, passing each output line on; returns its exit code.</summary>
    public async Task<int> RunAsync(IReadOnlyList<string> arguments, Action<string> onLine, CancellationToken cancellationToken)
    {
        using var process = Start(["-m", "urm_train", .. arguments]);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return process.ExitCode;
    }

    private async Task<(int ExitCode, string Output)> RunCapturedAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Start(arguments);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output + await errors);
    }

    private Process Start(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(python, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PYTHONPATH"] = trainerRoot;
        start.Environment["PYTHONUNBUFFERED"] = "1";
        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
    }
}

using System.Diagnostics;

namespace Urm.Cli.Commands;

/// <summary>A progress line on stderr for long runs: count and rate, redrawn every half second (every 5 s into a log).</summary>
public sealed class ProgressLine(string unit) : IProgress<int>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDrawMs = -1_000;
    private int _last;

    public void Report(int value)
    {
        _last = value;
        if (_clock.ElapsedMilliseconds - _lastDrawMs < (Console.IsErrorRedirected ? 5_000 : 500)) return;
        _lastDrawMs = _clock.ElapsedMilliseconds;
        Draw();
    }

    public void Finish()
    {
        Draw();
        Console.Error.WriteLine();
    }

    private void Draw()
    {
        var rate = _last / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        var line = $"  {_last:N0} {unit}, {rate:F1} {unit}/s, {_clock.Elapsed:mm\\:ss}";
        // Redraw in place on a terminal; one line per update when redirected to a log.
        if (Console.IsErrorRedirected) Console.Error.WriteLine(line); else Console.Error.Write("\r" + line);
    }
}

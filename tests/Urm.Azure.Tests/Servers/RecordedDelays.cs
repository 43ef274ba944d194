using System.Collections.Concurrent;

namespace Urm.Azure.Tests.Servers;

/// <summary>A clock whose timers fire at once and remember how long they were asked to wait: a test asserts
/// on the waits the code chose (a server's retry-after, say) without spending them.</summary>
public sealed class RecordedDelays : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _delays = new();

    public IReadOnlyCollection<TimeSpan> Delays => _delays;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan) _delays.Enqueue(dueTime);
        return System.CreateTimer(callback, state, TimeSpan.Zero, period);
    }
}

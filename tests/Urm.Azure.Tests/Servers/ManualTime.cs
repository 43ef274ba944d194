namespace Urm.Azure.Tests.Servers;

/// <summary>A clock the test moves by hand (leases and expiries are compared with UTC now).</summary>
public sealed class ManualTime(DateTimeOffset? start = null) : TimeProvider
{
    private DateTimeOffset _now = start ?? DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

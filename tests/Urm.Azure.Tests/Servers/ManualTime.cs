namespace Urm.Azure.Tests.Servers;

/// <summary>A clock the test moves by hand (leases are compared with UTC now).</summary>
public sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

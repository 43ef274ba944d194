namespace Urm.Core.Profiles;

/// <summary>Bounds on a POST /api/events batch, so one call's cost (store writes, one archive file) stays predictable.</summary>
public sealed record EventLimits
{
    public static EventLimits Default { get; } = new();

    public int MaxBatch { get; init; } = 500;

    /// <summary>Every id of an event (user, session, item, event, recommendation), as catalog ids (docs/FORMATS.md).</summary>
    public int MaxIdLength { get; init; } = 256;

    /// <summary>How far ahead of the server's clock a timestamp may be (clients' clocks drift; a year ahead is a bug).</summary>
    public TimeSpan MaxFuture { get; init; } = TimeSpan.FromDays(1);
}

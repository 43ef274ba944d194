namespace Urm.Core.Kpi;

/// <summary>Settings <c>Kpi__*</c> (docs/SETTINGS.md): how events are attributed to recommendations.</summary>
public sealed record KpiOptions
{
    public const string Section = "Kpi";

    public static KpiOptions Default { get; } = new();

    /// <summary>How long after a recommendation an event on one of its items still counts for it.</summary>
    public TimeSpan AttributionWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Every problem, each naming its setting; empty when the options can be used.</summary>
    public IEnumerable<string> Problems()
    {
        if (AttributionWindow < TimeSpan.FromMinutes(1) || AttributionWindow > TimeSpan.FromDays(30))
            yield return $"Kpi__AttributionWindow is {AttributionWindow}; it must be 00:01:00 to 30.00:00:00 (default 1.00:00:00).";
    }
}

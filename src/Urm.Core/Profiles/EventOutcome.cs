using Urm.Core.Serving;

namespace Urm.Core.Profiles;

/// <summary>What became of one event of a batch: <see cref="Accepted"/>, <see cref="Duplicate"/> (its eventId was stored before) or <see cref="Rejected"/> with its field errors.</summary>
public sealed record EventOutcome(int Index, string? EventId, string Status, IReadOnlyList<FieldError>? Errors = null)
{
    public const string Accepted = "accepted";
    public const string Duplicate = "duplicate";
    public const string Rejected = "rejected";
}

/// <summary>The answer of POST /api/events: one outcome per event, in the batch's order, and the counts.</summary>
public sealed record EventBatchResult(int Accepted, int Duplicates, int Rejected, IReadOnlyList<EventOutcome> Results)
{
    public static EventBatchResult From(IReadOnlyList<EventOutcome> results) => new(
        results.Count(r => r.Status == EventOutcome.Accepted),
        results.Count(r => r.Status == EventOutcome.Duplicate),
        results.Count(r => r.Status == EventOutcome.Rejected),
        results);
}

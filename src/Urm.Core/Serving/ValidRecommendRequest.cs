namespace Urm.Core.Serving;

/// <summary>
/// A <see cref="RecommendRequest"/> that <see cref="RequestValidator"/> found servable: only the validator
/// makes one, so a request is validated once however many layers it passes (the HTTP handler answers 400
/// with the errors; the service takes this and does not check again).
/// </summary>
public sealed class ValidRecommendRequest
{
    internal ValidRecommendRequest(RecommendRequest request, ServingLimits limits, int storedEvents = 0)
        => (Request, Limits, StoredEvents) = (request, limits, storedEvents);

    public RecommendRequest Request { get; }

    /// <summary>The limits it was checked against.</summary>
    public ServingLimits Limits { get; }

    /// <summary>How many of <see cref="RecommendRequest.History"/>'s events came from the stored profile (they come first).</summary>
    public int StoredEvents { get; }

    /// <summary>
    /// The request with <paramref name="stored"/> (a stored profile's events, oldest first, already checked when
    /// they were received) before its own history. Stored events carry no timestamp here, so the history is
    /// taken in this order: the sent events, the current session, come last whatever their timestamps say.
    /// </summary>
    public ValidRecommendRequest WithStoredHistory(IReadOnlyList<HistoryEvent> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Count == 0) return this;
        var history = stored.Select(e => e with { Timestamp = null }).Concat(Request.History ?? []).ToList();
        return new ValidRecommendRequest(Request with { History = history }, Limits, StoredEvents + stored.Count);
    }
}

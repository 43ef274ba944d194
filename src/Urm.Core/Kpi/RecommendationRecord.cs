using Urm.Core.Serving;

namespace Urm.Core.Kpi;

/// <summary>
/// One served recommendation as the log keeps it (docs/FORMATS.md, "Recommendation log"): what was shown,
/// to whom, by which model, so later events that name its id can be attributed to it.
/// </summary>
/// <param name="Items">The item ids shown, in the order served.</param>
/// <param name="Arm">The experiment arm the shopper was in (A, B, …); null outside an experiment.</param>
public sealed record RecommendationRecord(
    string Id,
    DateTimeOffset Time,
    string ModelVersion,
    string Task,
    string? UserId,
    string? SessionId,
    int K,
    IReadOnlyList<string> Items,
    string? Arm = null)
{
    /// <summary>A new id: "r-" and 16 hex digits of a random GUID (64 bits: no collision in any shop's lifetime of answers).</summary>
    public static string NewId() => "r-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>The record of <paramref name="response"/> (which carries its id) to <paramref name="valid"/>, served at <paramref name="time"/>.</summary>
    public static RecommendationRecord Of(ValidRecommendRequest valid, RecommendResponse response, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(valid);
        ArgumentNullException.ThrowIfNull(response);
        var request = valid.Request;
        return new RecommendationRecord(
            response.RecommendationId ?? throw new ArgumentException("The response has no recommendationId to record it under.", nameof(response)),
            time.ToUniversalTime(), response.ModelVersion, RecommendTasks.Normalize(request.Task)!,
            Trimmed(request.UserId), Trimmed(request.SessionId), request.K ?? valid.Limits.DefaultK,
            response.Items.Select(i => i.ItemId).ToList(), response.Arm);
    }

    private static string? Trimmed(string? id) => string.IsNullOrWhiteSpace(id) ? null : id.Trim();
}

using Urm.Core.Events;
using Urm.Core.Kpi;
using Urm.Core.Serving;
using Urm.Core.Telemetry;

namespace Urm.Core.Profiles;

/// <summary>
/// POST /api/events, GET and DELETE /api/users/{id} over a <see cref="IProfileStore"/> and an
/// <see cref="IEventArchive"/>: each event of a batch is checked on its own, the good ones stored in their
/// shopper's profile (a session merged into its user first when an event names both), the newly stored ones
/// written to the archive for training, and each event's outcome answered. When the archive write fails the
/// batch's new events are taken back out of the profiles, so a retry stores and archives them (none is lost,
/// none archived twice; a merge that happened stays, which a retry would do anyway). An erasure also takes
/// the user out of the <see cref="IRecommendationLog"/>, whose records name the shopper each answer was for.
/// </summary>
/// <param name="metrics">Where each stored batch's outcomes are counted; null: not counted.</param>
public sealed class ProfileService(IProfileStore store, IEventArchive archive, IRecommendationLog recommendations, EventValidator? validator = null, TimeProvider? time = null, UrmMetrics? metrics = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public EventValidator Validator { get; } = validator ?? new EventValidator(time: time);

    public IProfileStore Store { get; } = store;

    public IEventArchive Archive { get; } = archive;

    public IRecommendationLog Recommendations { get; } = recommendations;

    /// <summary>
    /// Stores the valid events of a batch. <paramref name="readErrors"/> holds, by index, what the reader
    /// already found wrong with an event (a value of the wrong JSON type); such an event is rejected with
    /// those errors and whatever else is wrong with it.
    /// </summary>
    public async Task<EventBatchResult> IngestAsync(IReadOnlyList<IncomingEvent?> events, IReadOnlyDictionary<int, IReadOnlyList<FieldError>>? readErrors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count > Validator.Limits.MaxBatch)
            throw new ArgumentException($"A batch holds at most {Validator.Limits.MaxBatch} events; got {events.Count}.", nameof(events));
        var now = _time.GetUtcNow();
        var outcomes = new EventOutcome?[events.Count];
        // Valid events by the profile they go to, in batch order; a session named beside a user is merged first.
        var byProfile = new Dictionary<ProfileKey, List<(int Index, ProfileEvent Event)>>();
        var merges = new List<(ProfileKey Session, ProfileKey User)>();
        for (var i = 0; i < events.Count; i++)
        {
            var errors = Errors(events[i], i, readErrors);
            if (errors.Count > 0)
            {
                outcomes[i] = new EventOutcome(i, Id(events[i]?.EventId), EventOutcome.Rejected, errors);
                continue;
            }
            var e = events[i]!;
            var user = Id(e.UserId);
            var session = Id(e.SessionId);
            var key = user is not null ? ProfileKey.User(user) : ProfileKey.Session(session!);
            if (user is not null && session is not null && !merges.Contains((ProfileKey.Session(session), key)))
                merges.Add((ProfileKey.Session(session), key));
            EventNames.TryParse(e.Event, out var type);
            var eventId = Id(e.EventId);
            var stored = new ProfileEvent(
                eventId ?? "gen-" + Guid.NewGuid().ToString("N"), eventId, e.ItemId!.Trim(), type,
                (e.Timestamp ?? now).ToUniversalTime(), session, Id(e.RecommendationId), now.UtcTicks + i);
            if (!byProfile.TryGetValue(key, out var list)) byProfile[key] = list = [];
            list.Add((i, stored));
        }

        foreach (var (session, user) in merges)
            await Store.MergeAsync(session, user, cancellationToken).ConfigureAwait(false);
        var added = new List<(ProfileKey Key, ProfileEvent Event)>();
        try
        {
            foreach (var (key, list) in byProfile)
            {
                var stored = await Store.AppendAsync(key, list.Select(x => x.Event).ToList(), cancellationToken).ConfigureAwait(false);
                for (var j = 0; j < list.Count; j++)
                {
                    outcomes[list[j].Index] = new EventOutcome(list[j].Index, list[j].Event.EventId, stored[j] ? EventOutcome.Accepted : EventOutcome.Duplicate);
                    if (stored[j]) added.Add((key, list[j].Event));
                }
            }
            await Archive.AppendAsync(added.Select(a => Archived(a.Key, a.Event)).ToList(), now, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (added.Count > 0)
        {
            await TakeBackAsync(added).ConfigureAwait(false);
            throw;
        }
        var result = EventBatchResult.From(outcomes.Select(o => o!).ToList());
        metrics?.Ingested(result);
        return result;
    }

    /// <summary>A user's profile, newest event last; null when none is stored.</summary>
    public Task<Profile?> GetUserAsync(string userId, CancellationToken cancellationToken)
        => Store.GetAsync(ProfileKey.User(userId.Trim()), cancellationToken);

    /// <summary>
    /// Erases a user: the profile and its events, the archive's lines of the user and of the sessions
    /// merged into the profile (those its events still name), and the user and those sessions from the
    /// recommendation records. The profile goes last: it is what names the sessions, so an erasure that
    /// fails part way finds them again when repeated.
    /// </summary>
    public async Task<Erasure> EraseUserAsync(string userId, CancellationToken cancellationToken)
    {
        var key = ProfileKey.User(userId.Trim());
        var profile = await Store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        var sessions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in profile?.Events ?? []) if (e.SessionId is { } session) sessions.Add(session);
        var lines = await Archive.EraseAsync(new HashSet<string>(sessions, StringComparer.Ordinal) { key.Id }, cancellationToken).ConfigureAwait(false);
        var records = await Recommendations.EraseShopperAsync(key.Id, sessions, cancellationToken).ConfigureAwait(false);
        var events = await Store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        return new Erasure(events, lines, records);
    }

    private static ArchivedEvent Archived(ProfileKey key, ProfileEvent e)
        => new(key.Id, e.ItemId, e.Type, e.Timestamp, e.EventId, e.SessionId, e.RecommendationId);

    /// <summary>Best effort, without the caller's token: the failure that led here is what the caller must see.</summary>
    private async Task TakeBackAsync(List<(ProfileKey Key, ProfileEvent Event)> added)
    {
        foreach (var group in added.GroupBy(a => a.Key))
        {
            try
            {
                await Store.RemoveAsync(group.Key, group.Select(a => a.Event.EventKey).ToList(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The events stay in the profile; a retry sees them as duplicates and does not archive them.
            }
        }
    }

    private List<FieldError> Errors(IncomingEvent? e, int index, IReadOnlyDictionary<int, IReadOnlyList<FieldError>>? readErrors)
    {
        var read = readErrors is not null && readErrors.TryGetValue(index, out var r) ? r : [];
        // A field the reader could not read is null here: report the reader's error, not "required".
        return read.Concat(Validator.Validate(e, index).Where(v => read.All(x => x.Field != v.Field))).ToList();
    }

    private static string? Id(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

using Urm.Core.Events;
using Urm.Core.Serving;

namespace Urm.Core.Profiles;

/// <summary>
/// POST /api/events, GET and DELETE /api/users/{id} over a <see cref="IProfileStore"/>: each event of a
/// batch is checked on its own, the good ones stored in their shopper's profile (a session merged into
/// its user first when an event names both), and each event's outcome answered.
/// </summary>
public sealed class ProfileService(IProfileStore store, EventValidator? validator = null, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public EventValidator Validator { get; } = validator ?? new EventValidator(time: time);

    public IProfileStore Store { get; } = store;

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
        foreach (var (key, list) in byProfile)
        {
            var stored = await Store.AppendAsync(key, list.Select(x => x.Event).ToList(), cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < list.Count; j++)
                outcomes[list[j].Index] = new EventOutcome(list[j].Index, list[j].Event.EventId, stored[j] ? EventOutcome.Accepted : EventOutcome.Duplicate);
        }
        return EventBatchResult.From(outcomes.Select(o => o!).ToList());
    }

    /// <summary>A user's profile, newest event last; null when none is stored.</summary>
    public Task<Profile?> GetUserAsync(string userId, CancellationToken cancellationToken)
        => Store.GetAsync(ProfileKey.User(userId.Trim()), cancellationToken);

    /// <summary>Erases a user's profile and its events; answers how many events were removed (0: there was none).</summary>
    public Task<int> EraseUserAsync(string userId, CancellationToken cancellationToken)
        => Store.DeleteAsync(ProfileKey.User(userId.Trim()), cancellationToken);

    private List<FieldError> Errors(IncomingEvent? e, int index, IReadOnlyDictionary<int, IReadOnlyList<FieldError>>? readErrors)
    {
        var read = readErrors is not null && readErrors.TryGetValue(index, out var r) ? r : [];
        // A field the reader could not read is null here: report the reader's error, not "required".
        return read.Concat(Validator.Validate(e, index).Where(v => read.All(x => x.Field != v.Field))).ToList();
    }

    private static string? Id(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

using Urm.Core.Events;
using Urm.Core.Serving;
using Urm.Core.Text;

namespace Urm.Core.Profiles;

/// <summary>
/// Checks one event of a batch on its own: a bad event is rejected with its field errors (paths like
/// <c>events[3].itemId</c>) and never holds back the others.
/// </summary>
public sealed class EventValidator(EventLimits? limits = null, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public EventLimits Limits { get; } = limits ?? EventLimits.Default;

    /// <summary>The event's problems at <paramref name="index"/> of the batch; empty when it can be stored.</summary>
    public IReadOnlyList<FieldError> Validate(IncomingEvent? e, int index)
    {
        var at = $"events[{index}]";
        var errors = new List<FieldError>();
        if (e is null)
        {
            errors.Add(new FieldError(at, "An event must be an object with itemId, event and userId or sessionId."));
            return errors;
        }
        if (Blank(e.UserId) && Blank(e.SessionId))
            errors.Add(new FieldError($"{at}.userId", "An event needs a userId (a signed-in shopper) or a sessionId (an anonymous one), or both to merge the session into the user."));
        Id(errors, $"{at}.userId", e.UserId, required: false);
        Id(errors, $"{at}.sessionId", e.SessionId, required: false);
        Id(errors, $"{at}.itemId", e.ItemId, required: true);
        Id(errors, $"{at}.eventId", e.EventId, required: false);
        Id(errors, $"{at}.recommendationId", e.RecommendationId, required: false);
        if (Blank(e.Event))
            errors.Add(new FieldError($"{at}.event", "event is required: view, click, cart or purchase."));
        else if (!EventNames.TryParse(e.Event, out _))
            errors.Add(new FieldError($"{at}.event", $"Unknown event '{Quoting.Shorten(e.Event!, 40)}'; use view, click, cart or purchase."));
        if (e.Timestamp is { } timestamp && timestamp > _time.GetUtcNow() + Limits.MaxFuture)
            errors.Add(new FieldError($"{at}.timestamp", $"The timestamp {timestamp:O} is more than {Limits.MaxFuture.TotalHours:0} h ahead of the server's clock; send the time the shopper acted (UTC), or leave it out for now."));
        return errors;
    }

    private void Id(List<FieldError> errors, string field, string? id, bool required)
    {
        if (id is null || (!required && id.Length == 0))
        {
            if (required) errors.Add(new FieldError(field, $"{Leaf(field)} is required: a catalog item id."));
            return;
        }
        if (string.IsNullOrWhiteSpace(id))
            errors.Add(new FieldError(field, $"{Leaf(field)} must not be blank."));
        else if (id.Length > Limits.MaxIdLength)
            errors.Add(new FieldError(field, $"An id is at most {Limits.MaxIdLength} characters; got {id.Length}."));
        else if (id.Any(char.IsControl))
            errors.Add(new FieldError(field, $"{Leaf(field)} must not hold control characters."));
    }

    private static bool Blank(string? value) => string.IsNullOrWhiteSpace(value);

    private static string Leaf(string field) => field[(field.LastIndexOf('.') + 1)..];
}

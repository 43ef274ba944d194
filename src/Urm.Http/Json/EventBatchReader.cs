using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Urm.Core.Events;
using Urm.Core.Profiles;
using Urm.Core.Serving;
using Urm.Core.Text;
using Urm.Http.Problems;

namespace Urm.Http.Json;

/// <summary>
/// Reads a POST /api/events body, <c>{"events": [...]}</c>. What makes the body not a batch (not JSON,
/// not an object, no events array, an unknown top-level field, too many events) is a 400 problem and
/// nothing is stored. Inside the batch each event is read on its own: a field of the wrong type or an
/// unknown field is that event's error (by index), so the event is rejected and the others go on.
/// </summary>
public static class EventBatchReader
{
    public const int MaxBytes = 1024 * 1024;

    private const string Example = "{\"events\": [{\"userId\": \"u-17\", \"itemId\": \"sku-3\", \"event\": \"click\"}]}";
    private const string EventFields = "eventId, userId, sessionId, itemId, event, timestamp, recommendationId";

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    public static async Task<(EventBatch? Batch, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, int maxBatch, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonRequestBody.ReadAsync(request, MaxBytes, "with an events array, e.g. " + Example,
            $"send at most {maxBatch} events per call, in several calls.", cancellationToken).ConfigureAwait(false);
        if (problem is not null) return (null, problem);
        try
        {
            using var document = JsonDocument.Parse(body, Options);
            return Read(document.RootElement, maxBatch);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            return (null, ApiProblems.BadRequest($"The body is not valid JSON{where}: send a JSON object such as {Example}."));
        }
    }

    private static (EventBatch?, ProblemHttpResult?) Read(JsonElement root, int maxBatch)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            var hint = root.ValueKind == JsonValueKind.Array ? " (an array alone is not a batch: put it in an object as \"events\")" : "";
            return (null, ApiProblems.BadRequest($"The body must be a JSON object with an events array{hint}, e.g. {Example}.", [new FieldError("", "The body must be an object {\"events\": [...]}.")]));
        }
        JsonElement? events = null;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name != "events")
                return (null, ApiProblems.BadRequest($"Unknown field '{Quoting.Shorten(property.Name, 80)}': a batch has only 'events' (each event's fields go inside it: {EventFields}).", [new FieldError(Quoting.Shorten(property.Name, 80), "Unknown field; the body has only 'events'.")]));
            if (events is not null)
                return (null, ApiProblems.BadRequest("'events' is given twice: send one events array.", [new FieldError("events", "Given twice.")]));
            events = property.Value;
        }
        if (events is not { ValueKind: JsonValueKind.Array } array)
            return (null, ApiProblems.BadRequest($"events must be an array of event objects, e.g. {Example}.", [new FieldError("events", events is null ? "Missing." : "Must be an array of event objects.")]));
        var count = array.GetArrayLength();
        if (count == 0)
            return (null, ApiProblems.BadRequest("events is empty: send 1 to " + maxBatch + " events.", [new FieldError("events", "Empty.")]));
        if (count > maxBatch)
            return (null, ApiProblems.BadRequest($"A batch holds at most {maxBatch} events; got {count}. Split it into several calls.", [new FieldError("events", $"At most {maxBatch} events; got {count}.")]));

        var list = new List<IncomingEvent?>(count);
        var errors = new Dictionary<int, IReadOnlyList<FieldError>>();
        foreach (var element in array.EnumerateArray())
        {
            var index = list.Count;
            var (incoming, problems) = ReadEvent(element, $"events[{index}]");
            list.Add(incoming);
            if (problems.Count > 0) errors[index] = problems;
        }
        return (new EventBatch(list, errors), null);
    }

    private static (IncomingEvent?, List<FieldError>) ReadEvent(JsonElement element, string at)
    {
        var errors = new List<FieldError>();
        if (element.ValueKind != JsonValueKind.Object) return (null, errors);   // the validator names it
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        DateTimeOffset? timestamp = null;
        foreach (var property in element.EnumerateObject())
        {
            var field = $"{at}.{Quoting.Shorten(property.Name, 80)}";
            if (!IsField(property.Name))
            {
                errors.Add(new FieldError(field, $"Unknown field; fields of an event: {EventFields}."));
                continue;
            }
            if (!values.TryAdd(property.Name, null))
            {
                errors.Add(new FieldError(field, "Given twice in this event."));
                continue;
            }
            var value = property.Value;
            if (property.Name == "timestamp")
            {
                timestamp = Timestamp(value, field, errors);
                continue;
            }
            if (value.ValueKind == JsonValueKind.String) values[property.Name] = value.GetString();
            else if (value.ValueKind != JsonValueKind.Null)
                errors.Add(new FieldError(field, property.Name == "event" ? "event must be a string: view, click, cart or purchase." : $"{property.Name} must be a string."));
        }
        return (new IncomingEvent(values.GetValueOrDefault("eventId"), values.GetValueOrDefault("userId"), values.GetValueOrDefault("sessionId"),
            values.GetValueOrDefault("itemId"), values.GetValueOrDefault("event"), timestamp, values.GetValueOrDefault("recommendationId")), errors);
    }

    private static DateTimeOffset? Timestamp(JsonElement value, string field, List<FieldError> errors)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        if (value.ValueKind == JsonValueKind.Null || (text is not null && string.IsNullOrWhiteSpace(text))) return null;   // now
        if (text is null)
        {
            errors.Add(new FieldError(field, "timestamp must be an ISO 8601 string such as \"2026-12-01T10:00:00Z\" or integer Unix seconds."));
            return null;
        }
        var parsed = EventTimestamps.Parse(text.Trim(), "timestamp", out var problem);
        if (problem is not null) errors.Add(new FieldError(field, problem + "."));
        return parsed;
    }

    private static bool IsField(string name) => name is "eventId" or "userId" or "sessionId" or "itemId" or "event" or "timestamp" or "recommendationId";
}

/// <summary>A batch as read: each event (null where the entry is not an object) and, by index, what the reader found wrong with it.</summary>
public sealed record EventBatch(IReadOnlyList<IncomingEvent?> Events, IReadOnlyDictionary<int, IReadOnlyList<FieldError>> ReadErrors);

using System.Text.Json;
using System.Text.Json.Serialization;
using Urm.Core.Serving;

namespace Urm.Http.Json;

/// <summary>
/// <c>history</c> as an array whose entries are event objects (<c>{"itemId", "event", "timestamp"}</c>)
/// or plain item id strings (a view with no timestamp), mixed freely. A null entry is kept, so the
/// validator can name its index; anything else is a <see cref="JsonException"/> whose path names the entry.
/// </summary>
public sealed class HistoryConverter : JsonConverter<IReadOnlyList<HistoryEvent>>
{
    public override IReadOnlyList<HistoryEvent>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException(null, "$.history", null, null);
        var events = new List<HistoryEvent>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var index = events.Count;
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    events.Add(new HistoryEvent(reader.GetString()!, null, null));
                    break;
                case JsonTokenType.Null:
                    events.Add(null!);
                    break;
                case JsonTokenType.StartObject:
                    try
                    {
                        events.Add(JsonSerializer.Deserialize<HistoryEvent>(ref reader, options)!);
                    }
                    catch (JsonException e)
                    {
                        // The inner path is relative to the entry ("$.event"): make it the request's.
                        var inner = e.Path is { Length: > 1 } path && path.StartsWith('$') ? path[1..] : "";
                        throw new JsonException(e.Message, $"$.history[{index}]{inner}", e.LineNumber, e.BytePositionInLine, e.InnerException);
                    }
                    break;
                default:
                    throw new JsonException(null, $"$.history[{index}]", null, null);
            }
        }
        return events;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<HistoryEvent> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var e in value) JsonSerializer.Serialize(writer, e, options);
        writer.WriteEndArray();
    }
}

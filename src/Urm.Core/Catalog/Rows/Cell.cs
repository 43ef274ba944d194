using System.Globalization;
using System.Text.Json;
using Urm.Core.Text;

namespace Urm.Core.Catalog.Rows;

/// <summary>
/// One field of a row: a JSON value, or a CSV cell. A CSV cell is text, so the same conversions apply to it
/// as to a JSON string; that is what makes a CSV row and a JSON row with the same content equal.
/// Conversions return a reason a person can act on, or null when the value was usable.
/// </summary>
internal readonly struct Cell
{
    private static readonly string[] TrueWords = ["true", "1", "yes"];
    private static readonly string[] FalseWords = ["false", "0", "no"];

    private readonly JsonElement _json;
    private readonly string? _text;
    private readonly bool _isJson;

    private Cell(JsonElement json, string? text, bool isJson)
    {
        _json = json;
        _text = text;
        _isJson = isJson;
    }

    public static Cell Absent => default;

    public static Cell FromJson(JsonElement value) => new(value, null, true);

    public static Cell FromText(string? value) => new(default, value, false);

    public string? GetText(string field, bool acceptNumber, out string? value)
    {
        value = null;
        if (_isJson)
        {
            switch (_json.ValueKind)
            {
                case JsonValueKind.Undefined or JsonValueKind.Null:
                    return null;
                case JsonValueKind.String:
                    value = Clean(_json.GetString());
                    return null;
                case JsonValueKind.Number when acceptNumber:
                    value = _json.GetRawText();
                    return null;
                default:
                    return $"'{field}' must be a string{(acceptNumber ? " or a number" : "")}, not {Describe()}";
            }
        }

        value = Clean(_text);
        return null;
    }

    public string? GetNumber(string field, out double? value)
    {
        value = null;
        double number;
        if (_isJson && _json.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        if (_isJson && _json.ValueKind == JsonValueKind.Number)
        {
            if (!_json.TryGetDouble(out number))
            {
                return $"'{field}' must be a finite number, not {Describe()}";
            }
        }
        else if (_isJson && _json.ValueKind != JsonValueKind.String)
        {
            return $"'{field}' must be a number, not {Describe()}";
        }
        else
        {
            var raw = Clean(_isJson ? _json.GetString() : _text);
            if (raw is null)
            {
                return null;
            }

            // Invariant culture only: "1,5" is ambiguous between locales, so it is an error, not a guess.
            if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
            {
                return $"'{field}' must be a number written like 12.5, not {Describe()}";
            }
        }

        if (!double.IsFinite(number))
        {
            return $"'{field}' must be a finite number, not {Describe()}";
        }

        value = number;
        return null;
    }

    public string? GetFlag(string field, out bool? value)
    {
        value = null;
        if (_isJson)
        {
            switch (_json.ValueKind)
            {
                case JsonValueKind.Undefined or JsonValueKind.Null:
                    return null;
                case JsonValueKind.True:
                    value = true;
                    return null;
                case JsonValueKind.False:
                    value = false;
                    return null;
                case JsonValueKind.Number or JsonValueKind.String:
                    break;
                default:
                    return FlagError(field);
            }
        }

        var raw = Clean(_isJson ? (_json.ValueKind == JsonValueKind.String ? _json.GetString() : _json.GetRawText()) : _text);
        if (raw is null)
        {
            return null;
        }

        if (TrueWords.Contains(raw, StringComparer.OrdinalIgnoreCase))
        {
            value = true;
        }
        else if (FalseWords.Contains(raw, StringComparer.OrdinalIgnoreCase))
        {
            value = false;
        }
        else
        {
            return FlagError(field);
        }

        return null;
    }

    /// <summary>An object of string to string; in CSV the cell holds that object as JSON text.</summary>
    public string? GetStringMap(string field, out List<KeyValuePair<string, string>>? value)
    {
        value = null;
        if (_isJson && _json.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        if (_isJson && _json.ValueKind == JsonValueKind.Object)
        {
            return ReadMap(field, _json, out value);
        }

        if (_isJson && _json.ValueKind != JsonValueKind.String)
        {
            return $"'{field}' must be a JSON object of string to string, not {Describe()}";
        }

        var raw = Clean(_isJson ? _json.GetString() : _text);
        if (raw is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(raw);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return $"'{field}' must hold a JSON object like {{\"color\":\"red\"}}, not {FromJson(document.RootElement).Describe()}";
            }

            return ReadMap(field, document.RootElement, out value);
        }
        catch (JsonException error)
        {
            return $"'{field}' must hold a JSON object like {{\"color\":\"red\"}}; it is not valid JSON ({RawRowReader.JsonMessage(error.Message)})";
        }
    }

    private static string? ReadMap(string field, JsonElement element, out List<KeyValuePair<string, string>>? value)
    {
        value = [];
        foreach (var property in element.EnumerateObject())
        {
            var key = Clean(property.Name);
            if (key is null)
            {
                return $"'{field}' has an empty key";
            }

            string? text;
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Null:
                    continue;
                case JsonValueKind.String:
                    text = Clean(property.Value.GetString());
                    break;
                // Numbers and booleans are taken as their text: exports often write {"size": 42}.
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    text = property.Value.GetRawText();
                    break;
                default:
                    return $"'{field}' value of '{key}' must be a string, not {FromJson(property.Value).Describe()}";
            }

            if (text is not null)
            {
                value.Add(new(key, text));
            }
        }

        return null;
    }

    private string FlagError(string field) =>
        $"'{field}' must be true/false (or 1/0, yes/no), not {Describe()}";

    private string Describe()
    {
        if (!_isJson)
        {
            return Quote(_text ?? "");
        }

        return _json.ValueKind switch
        {
            JsonValueKind.String => Quote(_json.GetString() ?? ""),
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {_json.GetRawText()}",
            JsonValueKind.Number => $"the number {Quoting.Shorten(_json.GetRawText(), 40)}",
            _ => _json.ValueKind.ToString().ToLowerInvariant(),
        };
    }

    private static string Quote(string value) => $"\"{Quoting.Shorten(value, 40)}\"";

    private static string? Clean(string? value)
    {
        var trimmed = value?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }
}

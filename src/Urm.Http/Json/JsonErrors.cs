using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Urm.Core.Serving;
using Urm.Core.Text;
using Urm.Http.Problems;

namespace Urm.Http.Json;

/// <summary>
/// A <see cref="JsonException"/> from reading a recommend body -> a 400 problem in the API's words: the
/// field (camelCase JSON path) and what it should hold. The serializer's own message is not echoed,
/// since it names .NET types; only the reader's syntax messages (about the JSON text itself) are.
/// </summary>
internal static partial class JsonErrors
{
    private const string Fields = "userId, sessionId, history, task, prompt, query, anchorItemId, category, k, rules";
    private const string RuleFields = "availableOnly, excludeSeen, excludeIds, categories, excludeCategories, priceMin, priceMax";

    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        [""] = "The body must be a JSON object, e.g. {\"history\": [\"sku-1\"], \"k\": 10}.",
        ["userId"] = "userId must be a string.",
        ["sessionId"] = "sessionId must be a string.",
        ["history"] = "history must be an array of item ids (strings) or of objects {\"itemId\", \"event\", \"timestamp\"}.",
        ["history[]"] = "A history entry must be an item id (string) or an object {\"itemId\", \"event\", \"timestamp\"}.",
        ["history[].itemId"] = "itemId must be a string.",
        ["history[].event"] = "event must be a string: view, click, cart or purchase.",
        ["history[].timestamp"] = "timestamp must be an ISO 8601 date-time string such as \"2026-11-01T10:00:00Z\".",
        ["task"] = "task must be a string: next-item, next-purchase, similar, search, category or explore.",
        ["prompt"] = "prompt must be a string.",
        ["query"] = "query must be a string.",
        ["anchorItemId"] = "anchorItemId must be a string.",
        ["category"] = "category must be a string such as \"Shoes > Running\".",
        ["k"] = "k must be a whole number from 1 to 200.",
        ["rules"] = "rules must be an object with any of: " + RuleFields + ".",
        ["rules.availableOnly"] = "availableOnly must be true or false.",
        ["rules.excludeSeen"] = "excludeSeen must be true or false.",
        ["rules.excludeIds"] = "excludeIds must be an array of item id strings.",
        ["rules.excludeIds[]"] = "Each excluded id must be a string.",
        ["rules.categories"] = "categories must be an array of category path strings.",
        ["rules.categories[]"] = "Each category must be a string.",
        ["rules.excludeCategories"] = "excludeCategories must be an array of category path strings.",
        ["rules.excludeCategories[]"] = "Each category must be a string.",
        ["rules.priceMin"] = "priceMin must be a number (0 or more).",
        ["rules.priceMax"] = "priceMax must be a number (0 or more).",
    };

    public static ProblemHttpResult Describe(JsonException error)
    {
        var field = Field(error.Path);
        // The reader's own failure (bad syntax, too deep, invalid UTF-8) is about the text, not a field.
        if (error.InnerException is JsonException syntax || IsReaderMessage(error.Message))
        {
            var message = Clean((error.InnerException as JsonException)?.Message ?? error.Message);
            var where = error.LineNumber is { } line ? $" (line {line + 1}, byte {error.BytePositionInLine + 1})" : "";
            return ApiProblems.BadRequest($"The body is not valid JSON{where}: {message}", [new FieldError(field, $"Not valid JSON here: {message}")]);
        }
        if (error.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            // The path usually ends at the unknown property itself; the fields to suggest are its parent's.
            var name = UnmappedName().Match(error.Message) is { Success: true } m ? m.Groups[1].Value : "?";
            var at = field.Length == 0 ? name : field == name || field.EndsWith("." + name, StringComparison.Ordinal) ? field : $"{field}.{name}";
            var parent = Pattern(at).StartsWith("history[]", StringComparison.Ordinal) ? "itemId, event, timestamp"
                : Pattern(at).StartsWith("rules.", StringComparison.Ordinal) ? RuleFields : Fields;
            return ApiProblems.BadRequest($"Unknown field '{Quoting.Shorten(at, 80)}': remove it or check its spelling (fields here: {parent}).", [new FieldError(Quoting.Shorten(at, 80), $"Unknown field; fields here: {parent}.")]);
        }
        var expected = Expected.TryGetValue(Pattern(field), out var text) ? text : $"{field} has a value of the wrong type.";
        var leaf = field[(field.LastIndexOf('.') + 1)..];
        var detail = field.Length == 0 || (field == leaf && expected.StartsWith(leaf, StringComparison.Ordinal)) ? expected : $"{field}: {expected}";
        return ApiProblems.BadRequest(detail, [new FieldError(field, expected)]);
    }

    /// <summary>"$.history[3].event" -> "history[3].event"; "$['odd name']" -> "odd name".</summary>
    private static string Field(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "";
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return Quoting.Shorten(field, 80);
    }

    private static string Pattern(string field) => Index().Replace(field, "[]");

    private static bool IsReaderMessage(string message)
        => message.Contains("LineNumber", StringComparison.Ordinal) && !message.Contains("could not be converted", StringComparison.Ordinal)
           && !message.Contains("could not be mapped", StringComparison.Ordinal) && !message.Contains("System.", StringComparison.Ordinal)
           && (message.Contains("invalid", StringComparison.OrdinalIgnoreCase) || message.Contains("depth", StringComparison.OrdinalIgnoreCase) || message.Contains("Expected", StringComparison.Ordinal));

    /// <summary>The reader's message without its "Path: ... | LineNumber: ..." tail (given separately) and without type names.</summary>
    private static string Clean(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var text = (cut > 0 ? message[..cut] : message).Replace(" Change the reader options.", "", StringComparison.Ordinal);
        return TypeName().Replace(Quoting.Shorten(text, 200), "a value");
    }

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex Index();

    [GeneratedRegex(@"JSON property '([^']{0,80})")]
    private static partial Regex UnmappedName();

    [GeneratedRegex(@"System\.[A-Za-z0-9_.`\[\]]+")]
    private static partial Regex TypeName();
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Urm.Http.Json;

/// <summary>The API's JSON: camelCase (web defaults), history in either shape, unknown fields refused so a typo is reported, not ignored.</summary>
public static class UrmJson
{
    public static JsonSerializerOptions Options { get; } = Apply(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Sets the API's conventions on <paramref name="options"/> (the host's HTTP JSON options, or a fresh instance).</summary>
    public static JsonSerializerOptions Apply(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = false;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.MaxDepth = 32;
        if (!options.Converters.OfType<HistoryConverter>().Any()) options.Converters.Add(new HistoryConverter());
        return options;
    }
}

using System.Text.Json;
using Microsoft.Azure.Cosmos;

namespace Urm.Azure.Cosmos;

/// <summary>
/// The store's documents through System.Text.Json rather than the SDK's Newtonsoft default: the
/// document records carry their JSON names, and dates keep their offset and ticks exactly.
/// </summary>
internal sealed class CardJsonSerializer : CosmosSerializer
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
    };

    public override T FromStream<T>(Stream stream)
    {
        if (typeof(Stream).IsAssignableFrom(typeof(T))) return (T)(object)stream;
        using (stream) return JsonSerializer.Deserialize<T>(stream, Options)!;
    }

    public override Stream ToStream<T>(T input)
    {
        var stream = new MemoryStream();
        JsonSerializer.Serialize(stream, input, Options);
        stream.Position = 0;
        return stream;
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Urm.Core.Features.Onnx;

namespace Urm.Core.Features.Images;

/// <summary>
/// The activation ranges ResNet18's int8 form is quantised with, measured by <see cref="ResNetCalibration"/> over
/// calibration photos and shipped inside Urm.Core (resnet18-int8-ranges.json), so that every host converts the
/// model the same way and an image's vector never depends on the catalog it came with.
/// </summary>
/// <param name="ModelSha256">The fp32 ResNet18 graph the ranges were measured on (lower-case hex); another graph is refused.</param>
/// <param name="Images">How many calibration images were measured.</param>
/// <param name="Source">Where those images came from, for the record.</param>
/// <param name="Ranges">Tensor name → the range its values are quantised in: the quantiles <see cref="ResNetCalibration.Quantile"/>
/// and 1 − it of the values over the images (the rarest extremes are clipped so that one step stays fine).</param>
public sealed record ResNetInt8Ranges(string ModelSha256, int Images, string Source, IReadOnlyDictionary<string, ActivationRange> Ranges)
{
    private const string ResourceName = "Urm.Core.Features.Images.resnet18-int8-ranges.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new RangeConverter() },
    };

    private static readonly Lazy<ResNetInt8Ranges> ShippedRanges = new(() =>
    {
        using var stream = typeof(ResNetInt8Ranges).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The resource {ResourceName} is missing from Urm.Core.");
        return Read(stream);
    });

    /// <summary>The ranges shipped with Urm.Core.</summary>
    public static ResNetInt8Ranges Shipped => ShippedRanges.Value;

    public static ResNetInt8Ranges Read(Stream json)
        => JsonSerializer.Deserialize<ResNetInt8Ranges>(json, Json) ?? throw new InvalidDataException("The ResNet18 int8 ranges file is empty.");

    public void Write(Stream json) => JsonSerializer.Serialize(json, this, Json);

    public static string Sha256(byte[] model) => Convert.ToHexStringLower(SHA256.HashData(model));

    /// <summary>The fp32 model converted to int8 with these ranges.</summary>
    public byte[] Quantise(byte[] fp32Model)
    {
        ArgumentNullException.ThrowIfNull(fp32Model);
        var sha = Sha256(fp32Model);
        if (!string.Equals(sha, ModelSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"The int8 ranges were measured on the ResNet18 graph {ModelSha256}, not on this one ({sha}); measure them again with `urm calibrate-images`.");
        return StaticConvQuantization.Apply(fp32Model, Ranges, WeightBits);
    }

    /// <summary>
    /// 7-bit weights, as for MiniLM: x86 CPUs without VNNI multiply uint8 by int8 in pairs summed into int16, which
    /// full-range weights can saturate, and a Functions plan does not choose its CPU. 8 bits measured closer to fp32
    /// on a CPU with AVX-512 VNNI (mean cosine 0.9984 against 0.9961 on held-out photos; docs/BENCHMARKS.md, "int8 ResNet18").
    /// </summary>
    public const int WeightBits = 7;

    /// <summary>A range as [min, max] in JSON.</summary>
    private sealed class RangeConverter : JsonConverter<ActivationRange>
    {
        public override ActivationRange Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var values = JsonSerializer.Deserialize<float[]>(ref reader, options);
            return values is { Length: 2 } ? new ActivationRange(values[0], values[1]) : throw new JsonException("A range is [min, max].");
        }

        public override void Write(Utf8JsonWriter writer, ActivationRange value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(value.Min);
            writer.WriteNumberValue(value.Max);
            writer.WriteEndArray();
        }
    }
}

namespace Urm.Core.Features.Text;

/// <summary>The arithmetic MiniLM runs in.</summary>
public enum TextPrecision
{
    /// <summary>The model as shipped.</summary>
    Fp32,

    /// <summary>
    /// Its weight products (all but the feed-forward down-projections) dynamically quantised to int8 when the
    /// encoder loads (<see cref="Onnx.DynamicMatMulQuantization"/>): faster on a CPU, vectors within a mean
    /// cosine of about 0.995 of fp32 (docs/BENCHMARKS.md, "int8 MiniLM and batched images").
    /// </summary>
    Int8,
}

namespace Urm.Core.Features.Text;

/// <summary>The arithmetic MiniLM runs in.</summary>
public enum TextPrecision
{
    /// <summary>The model as shipped.</summary>
    Fp32,

    /// <summary>Its weight products dynamically quantised to int8 when the encoder loads (<see cref="Onnx.DynamicMatMulQuantization"/>): about twice as fast on a CPU, vectors within cosine 0.99 of fp32.</summary>
    Int8,
}

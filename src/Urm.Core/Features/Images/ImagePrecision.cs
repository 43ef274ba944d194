namespace Urm.Core.Features.Images;

/// <summary>The arithmetic ResNet18 runs in.</summary>
public enum ImagePrecision
{
    /// <summary>The model as shipped.</summary>
    Fp32,

    /// <summary>
    /// Convolutions in int8 with activation ranges calibrated beforehand (<see cref="ResNetInt8Ranges"/>,
    /// <see cref="Onnx.StaticConvQuantization"/>), converted when the encoder loads: about twice as fast on a
    /// CPU (2.2× on two cores with AVX-512 VNNI), vectors close to but not equal to fp32 ones (docs/BENCHMARKS.md, "int8 ResNet18").
    /// </summary>
    Int8,
}

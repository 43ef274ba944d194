namespace Urm.Core.Features;

/// <summary>Where an encoder's ONNX session actually runs.</summary>
public enum ExecutionProvider
{
    Cpu,
    Cuda,
}

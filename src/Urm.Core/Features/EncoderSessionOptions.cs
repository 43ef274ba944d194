namespace Urm.Core.Features;

/// <summary>How an encoder's ONNX Runtime session is set up.</summary>
/// <param name="IntraOpThreads">Threads inside one operator; 0 lets ONNX Runtime pick (all cores).</param>
/// <param name="UseCuda">Try the CUDA provider first; the session falls back to CPU when it cannot be appended.</param>
/// <param name="CudaDeviceId">The GPU to use when <paramref name="UseCuda"/> is on.</param>
public sealed record EncoderSessionOptions(int IntraOpThreads = 0, bool UseCuda = false, int CudaDeviceId = 0)
{
    public static EncoderSessionOptions Default { get; } = new();
}

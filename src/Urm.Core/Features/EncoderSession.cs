using Microsoft.ML.OnnxRuntime;

namespace Urm.Core.Features;

/// <summary>Creates the ONNX Runtime sessions the frozen encoders run on.</summary>
internal static class EncoderSession
{
    public static InferenceSession Create(byte[] model, EncoderSessionOptions options, out ExecutionProvider provider)
        => Create(o => new InferenceSession(model, o), options, out provider);

    public static InferenceSession Create(string modelPath, EncoderSessionOptions options, out ExecutionProvider provider)
        => Create(o => new InferenceSession(modelPath, o), options, out provider);

    private static InferenceSession Create(Func<SessionOptions, InferenceSession> open, EncoderSessionOptions options, out ExecutionProvider provider)
    {
        if (options.UseCuda)
        {
            using var cuda = Build(options);
            try
            {
                cuda.AppendExecutionProvider_CUDA(options.CudaDeviceId);
                var session = open(cuda);
                provider = ExecutionProvider.Cuda;
                return session;
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                // The CPU-only native package (or a machine without a usable GPU) cannot take CUDA:
                // features must still be computed, just slower.
            }
        }
        using var cpu = Build(options);
        provider = ExecutionProvider.Cpu;
        return open(cpu);
    }

    private static SessionOptions Build(EncoderSessionOptions options)
    {
        var o = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
        };
        if (options.IntraOpThreads > 0) o.IntraOpNumThreads = options.IntraOpThreads;
        return o;
    }
}

using Urm.Core.Features;
using Urm.Core.Pretrained;

namespace Urm.Core.Tests.Features;

public class EncoderSessionTests
{
    [Fact]
    public void Asking_for_cuda_without_a_cuda_runtime_falls_back_to_the_cpu()
    {
        // This test project carries the CPU-only native package, so CUDA cannot be appended.
        using var session = EncoderSession.Create(PretrainedPaths.ResNet18Preprocess, new EncoderSessionOptions(IntraOpThreads: 1, UseCuda: true), out var provider);

        Assert.Equal(ExecutionProvider.Cpu, provider);
        Assert.Single(session.InputMetadata);
    }
}

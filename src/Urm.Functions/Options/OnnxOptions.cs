namespace Urm.Functions.Options;

/// <summary>Settings <c>Onnx__*</c>: where the models run.</summary>
public sealed class OnnxOptions
{
    public const string Section = "Onnx";
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";

    /// <summary><c>cuda</c> on the gpu plan, <c>cpu</c> on premium.</summary>
    public string ExecutionProvider { get; set; } = Cpu;

    /// <summary>Threads per session on the CPU (0: all cores); 1 suits many concurrent requests.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>MiniLM's arithmetic, <c>fp32</c> or <c>int8</c> (<see cref="Urm.Core.Features.Text.TextPrecision"/>), for prompts and catalog texts alike.</summary>
    public string TextPrecision { get; set; } = "fp32";

    /// <summary>ResNet18's arithmetic for catalog images, <c>fp32</c> or <c>int8</c> (<see cref="Urm.Core.Features.Images.ImagePrecision"/>).</summary>
    public string ImagePrecision { get; set; } = "fp32";
}

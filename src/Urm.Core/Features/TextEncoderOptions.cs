namespace Urm.Core.Features;

/// <summary>How the MiniLM text encoder tokenises and runs.</summary>
/// <param name="MaxTokens">Token window including [CLS] and [SEP]; all-MiniLM-L6-v2 was trained with 256.</param>
public sealed record TextEncoderOptions(int MaxTokens = 256, EncoderSessionOptions? Session = null)
{
    public static TextEncoderOptions Default { get; } = new();

    internal EncoderSessionOptions SessionOrDefault => Session ?? EncoderSessionOptions.Default;
}

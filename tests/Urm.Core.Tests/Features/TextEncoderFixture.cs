using Urm.Core.Features;
using Urm.Core.Features.Text;

namespace Urm.Core.Tests.Features;

/// <summary>One MiniLM session for all text tests: loading it is the slow part.</summary>
public sealed class TextEncoderFixture : IDisposable
{
    public TextEncoder Encoder { get; } = TextEncoder.Load(new TextEncoderOptions(Session: new EncoderSessionOptions(IntraOpThreads: 1)));

    public void Dispose() => Encoder.Dispose();
}

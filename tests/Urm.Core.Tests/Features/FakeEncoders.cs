using Urm.Core.Features.Images;
using Urm.Core.Features.Text;

namespace Urm.Core.Tests.Features;

/// <summary>A text encoder that counts its calls and derives a vector from the text's length.</summary>
internal sealed class CountingTextEncoder : ITextEncoder
{
    private int _calls, _texts;

    public int Calls => _calls;

    public int Texts => _texts;

    public int Dimension => 4;

    public float[][] Encode(IReadOnlyList<string> texts)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _texts, texts.Count);
        return texts.Select(t => new float[] { t.Length, 1, 2, 3 }).ToArray();
    }
}

/// <summary>Images whose reference starts with "bad" fail; the rest get a vector of their length.</summary>
internal sealed class ScriptedImageEncoder : IImageEncoder
{
    private int _references;

    public int References => _references;

    public int Dimension => 2;

    public Task<ImageEncoding[]> EncodeAsync(IReadOnlyList<string> references, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _references, references.Count);
        return Task.FromResult(references
            .Select(r => r.StartsWith("bad", StringComparison.Ordinal)
                ? new ImageEncoding(null, new ImageProblem(r, "scripted failure"))
                : new ImageEncoding([r.Length, 0], null))
            .ToArray());
    }
}

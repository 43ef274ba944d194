namespace Urm.Core.Features.Text;

/// <summary>
/// The text encoder of catalog encoding runs: every core, whatever the request path's thread setting.
/// A host that serves with one ONNX thread per session (many requests side by side) would otherwise
/// encode a whole catalog on one core too. It shares the request path's encoder when that one already
/// uses every core, and otherwise loads its own MiniLM session on the first run, so an instance that
/// never encodes a catalog never holds a second copy.
/// </summary>
public sealed class CatalogTextEncoder : ITextEncoder, IDisposable
{
    private readonly ITextEncoder? _shared;
    private readonly Lazy<TextEncoder>? _own;

    /// <param name="requestPath">The request path's encoder, and the options it was made with (its precision is kept: catalog
    /// texts and prompts are encoded alike).</param>
    public CatalogTextEncoder(ITextEncoder requestPath, TextEncoderOptions requestOptions)
    {
        ArgumentNullException.ThrowIfNull(requestPath);
        ArgumentNullException.ThrowIfNull(requestOptions);
        var session = requestOptions.SessionOrDefault;
        if (session.IntraOpThreads == 0) _shared = requestPath;
        else _own = new Lazy<TextEncoder>(() => TextEncoder.Load(requestOptions with { Session = session with { IntraOpThreads = 0 } }));
    }

    /// <summary>True when runs use a session of their own (loaded or not yet).</summary>
    public bool HasOwnSession => _own is not null;

    public int Dimension => TextEncoder.ModelDimension;

    public float[][] Encode(IReadOnlyList<string> texts) => (_shared ?? _own!.Value).Encode(texts);

    public void Dispose()
    {
        if (_own is { IsValueCreated: true }) _own.Value.Dispose();
    }
}

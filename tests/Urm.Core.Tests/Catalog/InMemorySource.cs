using System.Text;

namespace Urm.Core.Tests.Catalog;

/// <summary>A re-openable source over bytes held by the test, counting how often it was opened.</summary>
internal sealed class InMemorySource
{
    private readonly byte[] _bytes;

    private InMemorySource(byte[] bytes) => _bytes = bytes;

    public int Opens { get; private set; }

    public static InMemorySource Of(string text) => new(Encoding.UTF8.GetBytes(text));

    public static InMemorySource Of(byte[] bytes) => new(bytes);

    public static InMemorySource Lines(params string[] lines) => Of(string.Join("\n", lines) + "\n");

    public Task<Stream> Open(CancellationToken cancellationToken)
    {
        Opens++;
        return Task.FromResult<Stream>(new MemoryStream(_bytes, writable: false));
    }
}

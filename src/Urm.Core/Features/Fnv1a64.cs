using System.Text;

namespace Urm.Core.Features;

/// <summary>
/// FNV-1a, 64-bit, over UTF-8 bytes: stable across processes, platforms and .NET versions, unlike
/// string.GetHashCode, so ids written today mean the same to a model trained on them tomorrow.
/// </summary>
internal static class Fnv1a64
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Hash(string text)
    {
        Span<byte> stack = stackalloc byte[256];
        var count = Encoding.UTF8.GetMaxByteCount(text.Length);
        var bytes = count <= stack.Length ? stack : new byte[count];
        return Hash(bytes[..Encoding.UTF8.GetBytes(text, bytes)]);
    }

    public static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = OffsetBasis;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= Prime;
        }
        return hash;
    }
}

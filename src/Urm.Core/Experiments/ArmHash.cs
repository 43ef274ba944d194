using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Urm.Core.Experiments;

/// <summary>
/// A shopper's fixed position in [0, 1) for arm assignment: the first 53 bits of SHA-256 over the salt and
/// the shopper's key. SHA-256, not <see cref="string.GetHashCode()"/>, which .NET seeds anew in every
/// process: the same shopper must land in the same arm on every instance and after every restart.
/// </summary>
public static class ArmHash
{
    /// <summary>
    /// The position of <paramref name="key"/> under <paramref name="salt"/>: SHA-256 of the UTF-8 bytes of
    /// "<c>{salt length}:{salt}{key}</c>" (the length keeps salt "ab" + key "c" apart from salt "a" + key
    /// "bc"), its first 8 bytes read big-endian, the top 53 bits divided by 2^53.
    /// </summary>
    public static double Position(string salt, string key)
    {
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{salt.Length}:{salt}{key}"), digest);
        var bits = BinaryPrimitives.ReadUInt64BigEndian(digest) >> 11;
        return bits * (1.0 / (1UL << 53));
    }
}

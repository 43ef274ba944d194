using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Urm.Core.Models.Package;

namespace Urm.Core.Models.Runtime;

/// <summary>
/// A binary file a manifest section names beside the graphs (cooccurrence.bin, popularity.bin, query_map.bin): read whole,
/// hashed as read, and its header's magic and format version checked; the rest of the layout is its reader's.
/// </summary>
internal static class PackageSideFile
{
    /// <summary>Header start: 4 ASCII magic bytes, then an int32 format version.</summary>
    public const int MagicAndVersionBytes = 8;

    /// <param name="path">The file.</param>
    /// <param name="sha256">The manifest's hex SHA-256 of it; null: not checked.</param>
    /// <param name="shaField">The manifest field it came from, for the message.</param>
    /// <param name="remedy">What to do about a refused file.</param>
    /// <param name="headerBytes">The whole header's length: a shorter file is refused.</param>
    /// <param name="magic">The 4 bytes the file starts with.</param>
    /// <param name="kind">What the file is, for the message ("a co-occurrence table").</param>
    /// <param name="formatVersion">The version this code reads.</param>
    /// <exception cref="ModelPackageException">Missing, unreadable, another hash, too short, another magic or version.</exception>
    public static byte[] Read(string path, string? sha256, string shaField, string remedy, int headerBytes, byte[] magic, string kind, int formatVersion)
    {
        if (!File.Exists(path)) throw new ModelPackageException(path, "the file is missing", remedy);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new ModelPackageException(path, $"cannot be read: {e.Message}", remedy, e);
        }
        // The bytes parsed are the bytes hashed: no window for the file to change in between.
        if (sha256 is { } expected)
            ModelPackage.CheckSha256(path, Convert.ToHexStringLower(SHA256.HashData(bytes)), expected, shaField, remedy);
        if (bytes.Length < headerBytes)
            throw new ModelPackageException(path, $"it is {bytes.Length} bytes long, shorter than its {headerBytes}-byte header", remedy);
        if (!bytes.AsSpan(0, 4).SequenceEqual(magic))
            throw new ModelPackageException(path, $"it starts with '{Encoding.ASCII.GetString(bytes, 0, 4)}', not '{Encoding.ASCII.GetString(magic)}': it is not {kind}", remedy);
        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4, 4));
        if (version != formatVersion)
            throw new ModelPackageException(path, $"its format version is {version}; this code reads version {formatVersion}", remedy);
        return bytes;
    }
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Urm.Offline.FeatureFiles;

/// <summary>
/// Reads NumPy .npy files (format 1.x/2.x, little-endian, C order) of float32, int64 or uint8: the trainer's
/// parity fixtures and feature files (float32, int64, uint8). The counterpart of <see cref="NpyWriter"/>.
/// </summary>
public static partial class NpyReader
{
    public static NpyArray<float> Float32(string path) => Read<float>(path, "<f4");

    public static NpyArray<long> Int64(string path) => Read<long>(path, "<i8");

    public static NpyArray<byte> UInt8(string path) => Read<byte>(path, "|u1");

    private static NpyArray<T> Read<T>(string path, string dtype) where T : unmanaged
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path}: not a .npy file.");
        var major = bytes[6];
        int headerLength, offset;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); offset = 10; }
        else { headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)); offset = 12; }
        var header = Encoding.ASCII.GetString(bytes, offset, headerLength);
        var descr = Descr().Match(header);
        if (!descr.Success || descr.Groups[1].Value != dtype)
            throw new InvalidDataException($"{path}: dtype is {(descr.Success ? descr.Groups[1].Value : "unknown")}, expected {dtype}.");
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: Fortran order is not supported.");
        var shapeText = ShapeTuple().Match(header);
        if (!shapeText.Success) throw new InvalidDataException($"{path}: no shape in the header.");
        var shape = shapeText.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).ToArray();
        var count = shape.Aggregate(1L, (a, d) => a * d);
        var data = bytes.AsSpan(offset + headerLength);
        var size = Marshal.SizeOf<T>();
        if (data.Length != count * size)
            throw new InvalidDataException($"{path}: {data.Length} data bytes for shape ({string.Join(", ", shape)}) of {dtype}.");
        // The files are little-endian; so is every platform .NET runs this service on.
        return new NpyArray<T>(MemoryMarshal.Cast<byte, T>(data).ToArray(), shape);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex Descr();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapeTuple();
}

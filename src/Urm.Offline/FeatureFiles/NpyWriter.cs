using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Urm.Offline.FeatureFiles;

/// <summary>
/// Streams rows into a NumPy .npy file (format 1.0, little-endian, C order) without knowing the row
/// count in advance: the header is written with room to spare and rewritten with the final shape on
/// dispose. The exchange format with the Python trainer.
/// </summary>
public sealed class NpyWriter : IDisposable, IAsyncDisposable
{
    private const int HeaderBytes = 128; // magic + version + length + dict, padded so the data is 64-byte aligned
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    private readonly Stream _stream;
    private readonly string _dtype;
    private readonly int[] _rowShape;
    private readonly int _rowLength;
    private long _rows;
    private bool _closed;

    private NpyWriter(Stream stream, string dtype, int[] rowShape)
    {
        if (!stream.CanSeek) throw new ArgumentException("An .npy file is written to a seekable stream: its header is rewritten at the end.", nameof(stream));
        _stream = stream;
        _dtype = dtype;
        _rowShape = rowShape;
        _rowLength = rowShape.Aggregate(1, (a, b) => a * b);
        _stream.Write(Header(0));
    }

    /// <summary>A float32 file of shape [rows, width].</summary>
    public static NpyWriter Float32(string path, int width) => new(File.Create(path), "<f4", [width]);

    /// <summary>A uint8 file of shape [rows].</summary>
    public static NpyWriter UInt8(string path) => new(File.Create(path), "|u1", []);

    public long Rows => _rows;

    public void WriteRow(ReadOnlySpan<float> row)
    {
        if (_dtype != "<f4") throw new InvalidOperationException("This .npy file holds uint8 values.");
        if (row.Length != _rowLength) throw new ArgumentException($"A row has {_rowLength} values, not {row.Length}.", nameof(row));
        if (BitConverter.IsLittleEndian)
        {
            _stream.Write(MemoryMarshal.AsBytes(row));
        }
        else
        {
            Span<byte> buffer = stackalloc byte[sizeof(float)];
            foreach (var value in row)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
                _stream.Write(buffer);
            }
        }
        _rows++;
    }

    public void WriteRow(byte value)
    {
        if (_dtype != "|u1") throw new InvalidOperationException("This .npy file holds float32 rows.");
        _stream.WriteByte(value);
        _rows++;
    }

    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        _stream.Flush();
        _stream.Position = 0;
        _stream.Write(Header(_rows));
        _stream.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private byte[] Header(long rows)
    {
        var shape = _rowShape.Length == 0 ? $"({rows},)" : $"({rows}, {string.Join(", ", _rowShape)})";
        var dict = $"{{'descr': '{_dtype}', 'fortran_order': False, 'shape': {shape}, }}";
        var dictBytes = HeaderBytes - Magic.Length - sizeof(ushort);
        if (dict.Length + 1 > dictBytes) throw new InvalidOperationException("The .npy shape does not fit its header.");
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(Magic.Length), (ushort)dictBytes);
        var text = dict.PadRight(dictBytes - 1) + "\n";
        Encoding.ASCII.GetBytes(text, header.AsSpan(Magic.Length + sizeof(ushort)));
        return header;
    }
}

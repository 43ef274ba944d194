using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Urm.Core.Features.Cache;

/// <summary>
/// Features persisted in one append-only log under a folder, with a hash-to-offset index rebuilt
/// when it is opened. Every record carries its length and a checksum, so a write cut short by a
/// crash is detected at the next open and cut off; everything before it survives. A replaced entry
/// is appended again and the newest copy wins. One process writes a folder at a time. A record's
/// payload is a <see cref="FeatureRecord"/>.
/// </summary>
public sealed class FileFeatureCache : IFeatureCache, IDisposable
{
    public const string FileName = "features.log";
    private static readonly byte[] Magic = "URMFEAT1"u8.ToArray();

    private readonly FileStream _log;
    private readonly Dictionary<string, long> _index = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public FileFeatureCache(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        Path = System.IO.Path.Combine(folder, FileName);
        _log = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            Load();
        }
        catch
        {
            _log.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public int Count
    {
        get { lock (_gate) return _index.Count; }
    }

    public bool TryGet(string contentHash, [MaybeNullWhen(false)] out ItemFeatures features)
    {
        lock (_gate)
        {
            if (!_index.TryGetValue(contentHash, out var offset))
            {
                features = null;
                return false;
            }
            _log.Position = offset;
            features = FeatureRecord.Decode(ReadRecord(_log, _log.Length)
                ?? throw new InvalidDataException($"The feature cache '{Path}' changed under this process at offset {offset}."));
            _log.Position = _log.Length;
            return true;
        }
    }

    public void Put(ItemFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var payload = FeatureRecord.Encode(features);
        var record = new byte[4 + payload.Length + 8];
        BinaryPrimitives.WriteInt32LittleEndian(record, payload.Length);
        payload.CopyTo(record, 4);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(4 + payload.Length), Fnv1a64.Hash(payload));
        lock (_gate)
        {
            var offset = _log.Length;
            _log.Position = offset;
            _log.Write(record);
            _index[features.ContentHash] = offset;
        }
    }

    public void Flush()
    {
        lock (_gate) _log.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _log.Flush(flushToDisk: true);
            _log.Dispose();
        }
    }

    private void Load()
    {
        if (_log.Length < Magic.Length)
        {
            // New, or a crash before the header was complete: nothing in it can be an entry.
            _log.SetLength(0);
            _log.Write(Magic);
            _log.Flush(flushToDisk: true);
            return;
        }
        var header = new byte[Magic.Length];
        _log.ReadExactly(header);
        if (!header.AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"'{Path}' is not a feature cache (or is from an incompatible version): move it away and rerun.");

        var length = _log.Length;
        while (_log.Position < length)
        {
            var offset = _log.Position;
            var payload = ReadRecord(_log, length);
            if (payload is null)
            {
                _log.SetLength(offset);
                break;
            }
            _index[FeatureRecord.ReadContentHash(payload)] = offset;
        }
        _log.Position = _log.Length;
    }

    /// <summary>The payload at the stream's position, or null when the record is torn or corrupt.</summary>
    private static byte[]? ReadRecord(FileStream log, long end)
    {
        Span<byte> word = stackalloc byte[8];
        if (end - log.Position < 4) return null;
        log.ReadExactly(word[..4]);
        var size = BinaryPrimitives.ReadInt32LittleEndian(word);
        if (size <= 0 || end - log.Position < size + 8L) return null;
        var payload = new byte[size];
        log.ReadExactly(payload);
        log.ReadExactly(word);
        return BinaryPrimitives.ReadUInt64LittleEndian(word) == Fnv1a64.Hash(payload) ? payload : null;
    }
}

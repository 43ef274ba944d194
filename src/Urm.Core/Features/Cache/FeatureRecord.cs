using System.Text;

namespace Urm.Core.Features.Cache;

/// <summary>
/// The bytes of one <see cref="ItemFeatures"/>, as every feature store keeps them: the payload of a
/// <see cref="FileFeatureCache"/> record, and a shared blob's content. Changing it changes both, so a
/// change needs a new file magic and a new blob prefix.
/// </summary>
public static class FeatureRecord
{
    public static byte[] Encode(ItemFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var f = features;
        using var buffer = new MemoryStream(64 + 4 * (f.Text.Length + (f.Image?.Length ?? 0) + f.AttributeTokens.Length));
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(f.ContentHash);
            w.Write(f.Id);
            WriteFloats(w, f.Text);
            if (f.Image is null) w.Write(-1); else WriteFloats(w, f.Image);
            w.Write(f.AttributeTokens.Length);
            foreach (var t in f.AttributeTokens) w.Write(t);
            w.Write(f.PriceBucket);
        }
        return buffer.ToArray();
    }

    /// <exception cref="InvalidDataException">The bytes are not exactly one record (cut short, or followed by more).</exception>
    public static ItemFeatures Decode(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        using var r = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
        try
        {
            var hash = r.ReadString();
            var id = r.ReadString();
            var text = ReadFloats(r, r.ReadInt32()) ?? throw new InvalidDataException("A feature record has no text vector.");
            var image = ReadFloats(r, r.ReadInt32());
            var tokens = new int[Count(r, r.ReadInt32())];
            for (var i = 0; i < tokens.Length; i++) tokens[i] = r.ReadInt32();
            var features = new ItemFeatures(id, hash, text, image, tokens, r.ReadInt32());
            if (r.BaseStream.Position != payload.Length)
                throw new InvalidDataException($"A feature record is followed by {payload.Length - r.BaseStream.Position} more bytes.");
            return features;
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException)
        {
            throw new InvalidDataException($"Not a feature record ({payload.Length} bytes): {e.Message}", e);
        }
    }

    /// <summary>The content hash alone, without reading the vectors (it comes first).</summary>
    internal static string ReadContentHash(byte[] payload)
    {
        using var r = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
        return r.ReadString();
    }

    private static void WriteFloats(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        foreach (var v in values) w.Write(v);
    }

    private static float[]? ReadFloats(BinaryReader r, int count)
    {
        if (count == -1) return null;
        var values = new float[Count(r, count)];
        for (var i = 0; i < values.Length; i++) values[i] = r.ReadSingle();
        return values;
    }

    // A damaged length would otherwise allocate up to 8 GB before the read runs out of bytes.
    private static int Count(BinaryReader r, int count)
    {
        if (count < 0 || count > (r.BaseStream.Length - r.BaseStream.Position) / 4)
            throw new InvalidDataException($"A feature record claims {count} values where {r.BaseStream.Length - r.BaseStream.Position} bytes are left.");
        return count;
    }
}

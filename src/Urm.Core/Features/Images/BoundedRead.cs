namespace Urm.Core.Features.Images;

/// <summary>Reads a stream to its end, stopping as soon as it passes a byte limit.</summary>
internal static class BoundedRead
{
    public static async Task<byte[]> ReadAllAsync(Stream stream, long maxBytes, string reference, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            // Checked before keeping the bytes so that an endless or huge body costs at most the limit.
            if (buffer.Length + read > maxBytes)
                throw new ImageSourceException($"The image at '{reference}' is larger than the {maxBytes:N0}-byte limit.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}

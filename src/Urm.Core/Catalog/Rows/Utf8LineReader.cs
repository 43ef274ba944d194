using System.Text;

namespace Urm.Core.Catalog.Rows;

/// <summary>
/// Splits a byte stream into lines and decodes each one strictly, so that one line of broken UTF-8 is
/// reported on its own instead of corrupting the decoder state for the rest of the file.
/// </summary>
internal sealed class Utf8LineReader
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UTF8Encoding Lossy = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly Stream stream;
    private readonly int maxLineBytes;
    private readonly byte[] chunk = new byte[64 * 1024];
    private int chunkPosition;
    private int chunkLength;
    private bool endOfStream;
    private bool finished;
    private byte[] line = new byte[1024];
    private int lineLength;
    private bool lineTooLong;
    private long number;

    public Utf8LineReader(Stream stream, int maxLineBytes)
    {
        this.stream = stream;
        this.maxLineBytes = maxLineBytes;
    }

    public async ValueTask<TextLine?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTakeLine(out var taken))
            {
                return taken;
            }

            if (endOfStream)
            {
                return TakeLast();
            }

            chunkLength = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            chunkPosition = 0;
            endOfStream = chunkLength == 0;
        }
    }

    /// <summary>The synchronous twin, for CsvHelper's synchronous reads through a TextReader.</summary>
    public TextLine? Read()
    {
        while (true)
        {
            if (TryTakeLine(out var taken))
            {
                return taken;
            }

            if (endOfStream)
            {
                return TakeLast();
            }

            chunkLength = stream.Read(chunk);
            chunkPosition = 0;
            endOfStream = chunkLength == 0;
        }
    }

    private bool TryTakeLine(out TextLine taken)
    {
        taken = default;
        if (chunkPosition >= chunkLength)
        {
            return false;
        }

        var newline = Array.IndexOf(chunk, (byte)'\n', chunkPosition, chunkLength - chunkPosition);
        var end = newline < 0 ? chunkLength : newline;
        Append(chunk.AsSpan(chunkPosition, end - chunkPosition));
        chunkPosition = end + (newline < 0 ? 0 : 1);
        if (newline < 0)
        {
            return false;
        }

        taken = Finish();
        return true;
    }

    private TextLine? TakeLast()
    {
        if (finished)
        {
            return null;
        }

        finished = true;
        return lineLength > 0 || lineTooLong ? Finish() : null;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (lineTooLong)
        {
            return;
        }

        if (lineLength + bytes.Length > maxLineBytes)
        {
            // Drop the rest of an oversized line rather than buffer it: its reader learns only that it was too long.
            lineTooLong = true;
            return;
        }

        if (lineLength + bytes.Length > line.Length)
        {
            Array.Resize(ref line, Math.Min(maxLineBytes, Math.Max(line.Length * 2, lineLength + bytes.Length)));
        }

        bytes.CopyTo(line.AsSpan(lineLength));
        lineLength += bytes.Length;
    }

    private TextLine Finish()
    {
        number++;
        var bytes = line.AsSpan(0, lineLength);
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        if (number == 1 && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        TextLine result;
        if (lineTooLong)
        {
            result = new TextLine(number, "", $"the line is longer than {maxLineBytes} bytes");
        }
        else
        {
            try
            {
                result = new TextLine(number, Strict.GetString(bytes), null);
            }
            catch (DecoderFallbackException error)
            {
                result = new TextLine(number, Lossy.GetString(bytes),
                    $"the line is not valid UTF-8 (bad byte at offset {Math.Max(0, error.Index)}); save the file as UTF-8");
            }
        }

        lineLength = 0;
        lineTooLong = false;
        // Give back the memory of an unusually long line instead of keeping it for the rest of the file.
        if (line.Length > 64 * 1024)
        {
            line = new byte[1024];
        }

        return result;
    }
}

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

    private readonly bool decode;

    /// <param name="decode">
    /// False leaves <see cref="TextLine.Text"/> empty and hands out the validated bytes instead, for a JSON
    /// parser that reads UTF-8 directly and need not pay for a string it would only encode again.
    /// </param>
    public Utf8LineReader(Stream stream, int maxLineBytes, bool decode = true)
    {
        this.stream = stream;
        this.maxLineBytes = maxLineBytes;
        this.decode = decode;
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
        var start = 0;
        var length = lineLength;
        if (length > 0 && line[length - 1] == (byte)'\r')
        {
            length--;
        }

        if (number == 1 && line.AsSpan(0, length).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            start = 3;
            length -= 3;
        }

        var bytes = line.AsSpan(start, length);
        TextLine result;
        if (lineTooLong)
        {
            result = new TextLine(number, "", $"the line is longer than {maxLineBytes} bytes");
        }
        else if (!decode && System.Text.Unicode.Utf8.IsValid(bytes))
        {
            result = new TextLine(number, "", null) { Utf8 = line.AsMemory(start, length) };
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

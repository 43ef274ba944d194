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

    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private readonly byte[] _chunk = new byte[64 * 1024];
    private int _chunkPosition;
    private int _chunkLength;
    private bool _endOfStream;
    private bool _finished;
    private byte[] _line = new byte[1024];
    private int _lineLength;
    private bool _lineTooLong;
    private long _number;

    private readonly bool _decode;

    /// <param name="decode">
    /// False leaves <see cref="TextLine.Text"/> empty and hands out the validated bytes instead, for a JSON
    /// parser that reads UTF-8 directly and need not pay for a string it would only encode again.
    /// </param>
    public Utf8LineReader(Stream stream, int maxLineBytes, bool decode = true)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _decode = decode;
    }

    public async ValueTask<TextLine?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTakeLine(out var taken))
            {
                return taken;
            }

            if (_endOfStream)
            {
                return TakeLast();
            }

            _chunkLength = await _stream.ReadAsync(_chunk, cancellationToken).ConfigureAwait(false);
            _chunkPosition = 0;
            _endOfStream = _chunkLength == 0;
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

            if (_endOfStream)
            {
                return TakeLast();
            }

            _chunkLength = _stream.Read(_chunk);
            _chunkPosition = 0;
            _endOfStream = _chunkLength == 0;
        }
    }

    private bool TryTakeLine(out TextLine taken)
    {
        taken = default;
        if (_chunkPosition >= _chunkLength)
        {
            return false;
        }

        var newline = Array.IndexOf(_chunk, (byte)'\n', _chunkPosition, _chunkLength - _chunkPosition);
        var end = newline < 0 ? _chunkLength : newline;
        Append(_chunk.AsSpan(_chunkPosition, end - _chunkPosition));
        _chunkPosition = end + (newline < 0 ? 0 : 1);
        if (newline < 0)
        {
            return false;
        }

        taken = Finish();
        return true;
    }

    private TextLine? TakeLast()
    {
        if (_finished)
        {
            return null;
        }

        _finished = true;
        return _lineLength > 0 || _lineTooLong ? Finish() : null;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_lineTooLong)
        {
            return;
        }

        if (_lineLength + bytes.Length > _maxLineBytes)
        {
            // Drop the rest of an oversized line rather than buffer it: its reader learns only that it was too long.
            _lineTooLong = true;
            return;
        }

        if (_lineLength + bytes.Length > _line.Length)
        {
            Array.Resize(ref _line, Math.Min(_maxLineBytes, Math.Max(_line.Length * 2, _lineLength + bytes.Length)));
        }

        bytes.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += bytes.Length;
    }

    private TextLine Finish()
    {
        _number++;
        var start = 0;
        var length = _lineLength;
        if (length > 0 && _line[length - 1] == (byte)'\r')
        {
            length--;
        }

        if (_number == 1 && _line.AsSpan(0, length).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            start = 3;
            length -= 3;
        }

        var bytes = _line.AsSpan(start, length);
        TextLine result;
        if (_lineTooLong)
        {
            result = new TextLine(_number, "", $"the line is longer than {_maxLineBytes} bytes");
        }
        else if (!_decode && System.Text.Unicode.Utf8.IsValid(bytes))
        {
            result = new TextLine(_number, "", null) { Utf8 = _line.AsMemory(start, length) };
        }
        else
        {
            try
            {
                result = new TextLine(_number, Strict.GetString(bytes), null);
            }
            catch (DecoderFallbackException error)
            {
                result = new TextLine(_number, Lossy.GetString(bytes),
                    $"the line is not valid UTF-8 (bad byte at offset {Math.Max(0, error.Index)}); save the file as UTF-8");
            }
        }

        _lineLength = 0;
        _lineTooLong = false;
        // Give back the memory of an unusually long line instead of keeping it for the rest of the file.
        if (_line.Length > 64 * 1024)
        {
            _line = new byte[1024];
        }

        return result;
    }
}

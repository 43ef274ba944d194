namespace Urm.Core.Catalog.Rows;

/// <summary>
/// One physical line. <see cref="Problem"/> says why the line cannot be trusted (bad UTF-8, too long);
/// <see cref="Text"/> is then a lossy decoding, kept so that CSV structure around it still parses.
/// </summary>
internal readonly record struct TextLine(long Number, string Text, string? Problem)
{
    /// <summary>The line's valid UTF-8, when the reader was asked not to decode; only good until the next read.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; init; }
}

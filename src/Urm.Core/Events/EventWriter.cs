using System.Globalization;

namespace Urm.Core.Events;

/// <summary>Writes events as CSV with the contract's header: user_id,item_id,event,timestamp.</summary>
public sealed class EventWriter : IAsyncDisposable
{
    private readonly StreamWriter _writer;

    public EventWriter(Stream stream)
    {
        _writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false));
        _writer.WriteLine("user_id,item_id,event,timestamp");
    }

    public Task WriteAsync(UserEvent e, CancellationToken cancellationToken) =>
        _writer.WriteLineAsync(
            $"{Quote(e.UserId)},{Quote(e.ItemId)},{e.Type.ToString().ToLowerInvariant()},{e.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}".AsMemory(),
            cancellationToken);

    public async ValueTask DisposeAsync() => await _writer.DisposeAsync();

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}

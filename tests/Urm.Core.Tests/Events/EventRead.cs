using Urm.Core.Catalog;
using Urm.Core.Events;
using Urm.Core.Tests.Catalog;

namespace Urm.Core.Tests.Events;

/// <summary>Reads a whole small event file into a list.</summary>
internal static class EventRead
{
    public static async Task<(List<UserEvent> Events, ReadReport Report)> AllAsync(InMemorySource source, CatalogFormat format)
    {
        var report = new ReadReport();
        var events = new List<UserEvent>();
        await foreach (var userEvent in EventReader.ReadAsync(source.Open, format, report, CancellationToken.None))
        {
            events.Add(userEvent);
        }

        return (events, report);
    }

    public static Task<(List<UserEvent> Events, ReadReport Report)> CsvAsync(params string[] lines) =>
        AllAsync(InMemorySource.Lines(lines), CatalogFormat.Csv);

    public static Task<(List<UserEvent> Events, ReadReport Report)> JsonLinesAsync(params string[] lines) =>
        AllAsync(InMemorySource.Lines(lines), CatalogFormat.JsonLines);
}

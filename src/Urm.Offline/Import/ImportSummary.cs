namespace Urm.Offline.Import;

/// <summary>What an import wrote: the catalog and events files and their sizes.</summary>
public sealed record ImportSummary(string CatalogPath, string EventsPath, int Items, int Users, int Events);

namespace Urm.Core.Catalog;

/// <summary>Picks the row format of a file from its extension.</summary>
public static class CatalogFormats
{
    public const string SupportedExtensions = ".jsonl, .ndjson, .json (JSON Lines) and .csv (CSV)";

    public static CatalogFormat FromPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return TryFromPath(path, out var format)
            ? format
            : throw new ArgumentException(
                $"Cannot tell the format of '{path}' from its extension '{Path.GetExtension(path)}'; supported: {SupportedExtensions}.",
                nameof(path));
    }

    /// <summary>False for a file that is no catalog by its extension (an image beside the catalog, say).</summary>
    public static bool TryFromPath(string path, out CatalogFormat format)
    {
        ArgumentNullException.ThrowIfNull(path);
        (var known, format) = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" or ".ndjson" or ".json" => (true, CatalogFormat.JsonLines),
            ".csv" => (true, CatalogFormat.Csv),
            _ => (false, default(CatalogFormat)),
        };
        return known;
    }
}

namespace Urm.Core.Catalog;

/// <summary>Picks the row format of a file from its extension.</summary>
public static class CatalogFormats
{
    public const string SupportedExtensions = ".jsonl, .ndjson, .json (JSON Lines) and .csv (CSV)";

    public static CatalogFormat FromPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" or ".ndjson" or ".json" => CatalogFormat.JsonLines,
            ".csv" => CatalogFormat.Csv,
            var other => throw new ArgumentException(
                $"Cannot tell the format of '{path}' from its extension '{other}'; supported: {SupportedExtensions}.",
                nameof(path)),
        };
    }
}

namespace Urm.Core.Catalog;

/// <summary>The row formats an upload may come in; events use the same two.</summary>
public enum CatalogFormat { JsonLines, Csv }

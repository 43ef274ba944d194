namespace Urm.Core.Catalog;

/// <summary>A rejected input row: its 1-based line (or CSV record) number, its id when known, and what to fix.</summary>
public sealed record RowError(long Line, string? ItemId, string Reason);

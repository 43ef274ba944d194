namespace Urm.Core.Catalog;

/// <summary>The catalog as a whole is unusable: empty, every row bad, or a CSV header without a required column.</summary>
public sealed class InvalidCatalogException : Exception
{
    public InvalidCatalogException(string message, IReadOnlyList<RowError> errors) : base(message) => Errors = errors;

    public IReadOnlyList<RowError> Errors { get; }
}

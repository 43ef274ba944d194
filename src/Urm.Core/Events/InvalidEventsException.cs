using Urm.Core.Catalog;

namespace Urm.Core.Events;

/// <summary>An event file as a whole is unusable: empty, every row bad, or a CSV header without a required column.</summary>
public sealed class InvalidEventsException : Exception
{
    public InvalidEventsException(string message, IReadOnlyList<RowError> errors) : base(message) => Errors = errors;

    public IReadOnlyList<RowError> Errors { get; }
}

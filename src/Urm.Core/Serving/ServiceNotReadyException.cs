namespace Urm.Core.Serving;

/// <summary>
/// The service cannot answer now but will without anyone's help: no model is active yet, the cards are
/// being re-fused for a newly activated model, the card store is throttling. The HTTP layer answers 503
/// with Retry-After for this type alone; any other exception is a fault (500).
/// </summary>
public class ServiceNotReadyException(string message, TimeSpan? retryAfter = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>How long a client should wait before asking again.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter ?? TimeSpan.FromSeconds(5);
}

using Urm.Core.Serving;

namespace Urm.Azure.Cosmos;

/// <summary>
/// Cosmos DB kept refusing a request (429, 449, 503, 408 or no answer) after every retry. The message says
/// which request, what came back and what to do; the call's partial writes are safe to repeat.
/// </summary>
public sealed class CardStoreUnavailableException(string message, Exception? inner = null) : ServiceNotReadyException(message, TimeSpan.FromSeconds(10), inner);

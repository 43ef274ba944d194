using System.Net;
using Microsoft.Azure.Cosmos;

namespace Urm.Azure.Cosmos;

/// <summary>
/// One store call's requests: each goes through <see cref="ExecuteAsync{T}"/>, which retries what the
/// server asks to be retried (429, 449, 503, 408) after the server's retry-after (or a growing backoff
/// when it names none), and adds up the RU charge and the retries for the call's log line. The SDK's
/// own rate-limit retries are off (see <see cref="CosmosCardStore.ClientOptions"/>), so every retry is
/// counted here, in bulk mode too.
/// </summary>
internal sealed class CosmosRun(CosmosCardStoreOptions options, string endpoint, TimeProvider time)
{
    private readonly Lock _gate = new();
    private CosmosRequestTotals _totals = CosmosRequestTotals.Zero;

    public CosmosRequestTotals Totals
    {
        get { lock (_gate) return _totals; }
    }

    /// <param name="what">The request in words, for the error message (e.g. "upsert of card 'sku-1'").</param>
    public async Task<T> ExecuteAsync<T>(string what, Func<CancellationToken, Task<T>> operation, Func<T, double> charge, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await operation(cancellationToken).ConfigureAwait(false);
                Add(charge(result));
                return result;
            }
            catch (CosmosException e) when (IsTransient(e.StatusCode))
            {
                Add(e.RequestCharge);
                if (attempt > options.MaxRetries) throw GaveUp(what, attempt, $"{(int)e.StatusCode} {e.StatusCode} (substatus {e.SubStatusCode})", e);
                Count(e.StatusCode);
                await Task.Delay(Wait(e.RetryAfter, attempt), time, cancellationToken).ConfigureAwait(false);
            }
            catch (CosmosException e)
            {
                Add(e.RequestCharge);
                throw;
            }
            catch (HttpRequestException e)
            {
                // No answer at all (connection refused or reset): the server is down or unreachable.
                if (attempt > options.MaxRetries) throw GaveUp(what, attempt, $"no answer ({e.Message})", e);
                Count(HttpStatusCode.ServiceUnavailable);
                await Task.Delay(Wait(null, attempt), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void CountVersionConflict()
    {
        lock (_gate) _totals = _totals with { VersionConflicts = _totals.VersionConflicts + 1 };
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout || (int)status == 449;

    private TimeSpan Wait(TimeSpan? retryAfter, int attempt)
    {
        // The server's word when it gives one; otherwise 100 ms doubling per attempt. Capped either way,
        // so a misbehaving proxy cannot park the run for minutes on one header.
        var wait = retryAfter is { } after && after > TimeSpan.Zero
            ? after
            : TimeSpan.FromMilliseconds(100 * Math.Pow(2, Math.Min(attempt - 1, 10)));
        return wait < options.MaxRetryWait ? wait : options.MaxRetryWait;
    }

    private void Add(double requestCharge)
    {
        lock (_gate) _totals = _totals with { RequestCharge = _totals.RequestCharge + requestCharge };
    }

    private void Count(HttpStatusCode status)
    {
        lock (_gate)
        {
            _totals = (int)status switch
            {
                429 => _totals with { Throttled = _totals.Throttled + 1 },
                449 => _totals with { RetryWith = _totals.RetryWith + 1 },
                _ => _totals with { Unavailable = _totals.Unavailable + 1 },
            };
        }
    }

    private CardStoreUnavailableException GaveUp(string what, int attempts, string answer, Exception inner) => new(
        $"Cosmos DB at {endpoint} did not accept the {what} after {attempts} attempts; the last answer was {answer}. " +
        "Check that the account is reachable from here and has throughput to spare (or raise CardStore__MaxRetries); " +
        "then run again: what this run wrote stays, and the rerun writes only what is missing.", inner);
}

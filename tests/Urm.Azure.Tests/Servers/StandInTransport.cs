using System.Net;
using System.Net.Sockets;

namespace Urm.Azure.Tests.Servers;

/// <summary>
/// The test transport between the Cosmos SDK and the stand-in. It passes requests through, except that
/// it can answer chosen requests with a 429 (as Cosmos DB does when a container is short of RU/s) and
/// can play a server that went away (every request refused, as a closed port is). It also mends one
/// stand-in bug: a point read of a missing document crashes the stand-in into a 500, where Cosmos DB
/// answers 404; the 500 is turned into that 404 here, not worked around in the store.
/// </summary>
public sealed class StandInTransport : DelegatingHandler
{
    private int _throttleLeft;
    private int _throttled;
    private int _requests;
    private volatile bool _down;
    private int _downAfter = -1;
    private string? _heldPartition;
    private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StandInTransport()
        : base(new SocketsHttpHandler
        {
            // Test-only: the stand-in serves a self-signed certificate on the loopback address.
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        })
    {
    }

    /// <summary>Card upserts answered 429 so far.</summary>
    public int Throttled => Volatile.Read(ref _throttled);

    /// <summary>The next <paramref name="count"/> card upserts are answered 429 with the given retry-after.</summary>
    public TimeSpan ThrottleRetryAfter { get; private set; }

    public void ThrottleUpserts(int count, TimeSpan retryAfter)
    {
        ThrottleRetryAfter = retryAfter;
        Volatile.Write(ref _throttleLeft, count);
    }

    /// <summary>The server is gone from the <paramref name="requests"/>-th card upsert on (counted from now) until <see cref="Restore"/>.</summary>
    public void GoDownAfterUpserts(int requests)
    {
        Volatile.Write(ref _requests, 0);
        Volatile.Write(ref _downAfter, requests);
    }

    /// <summary>Upserts into <paramref name="partition"/> wait until <see cref="ReleaseHeld"/>: a writer that is slow, not gone.</summary>
    public void HoldUpsertsTo(string partition)
    {
        _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _heldPartition = partition;
    }

    /// <summary>Completes when an upsert is being held.</summary>
    public Task Held => _held.Task;

    public void ReleaseHeld()
    {
        _heldPartition = null;
        _release.TrySetResult();
    }

    public void Restore()
    {
        Volatile.Write(ref _downAfter, -1);
        _down = false;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var upsert = request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/docs", StringComparison.Ordinal)
            && request.Headers.TryGetValues("x-ms-documentdb-is-upsert", out var values) && values.Any(v => v.Equals("true", StringComparison.OrdinalIgnoreCase));
        if (upsert)
        {
            var downAfter = Volatile.Read(ref _downAfter);
            if (downAfter >= 0 && Interlocked.Increment(ref _requests) > downAfter) _down = true;
        }
        if (upsert && _heldPartition is { } partition
            && request.Headers.TryGetValues("x-ms-documentdb-partitionkey", out var keys) && keys.Any(k => k.Contains($"\"{partition}\"", StringComparison.Ordinal)))
        {
            _held.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_down)
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connection refused ({request.RequestUri!.Authority})",
                new SocketException((int)SocketError.ConnectionRefused));
        if (upsert && Interlocked.Decrement(ref _throttleLeft) >= 0)
        {
            Interlocked.Increment(ref _throttled);
            var response = new HttpResponseMessage((HttpStatusCode)429)
            {
                RequestMessage = request,
                Content = new StringContent("""{"code":"429","message":"Request rate is large. More Request Units may be needed."}""", System.Text.Encoding.UTF8, "application/json"),
            };
            response.Headers.Add("x-ms-retry-after-ms", ((int)ThrottleRetryAfter.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
            response.Headers.Add("x-ms-substatus", "3200");
            response.Headers.Add("x-ms-request-charge", "0.5");
            response.Headers.Add("x-ms-activity-id", Guid.NewGuid().ToString());
            return response;
        }
        var answer = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (request.Method == HttpMethod.Get && answer.StatusCode == HttpStatusCode.InternalServerError
            && request.RequestUri!.AbsolutePath.Contains("/docs/", StringComparison.Ordinal))
        {
            var body = await answer.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (body.Contains("Cannot read properties of undefined", StringComparison.Ordinal))
            {
                answer.StatusCode = HttpStatusCode.NotFound;
                answer.Content = new StringContent("""{"code":"NotFound","message":"Entity with the specified id does not exist in the system."}""", System.Text.Encoding.UTF8, "application/json");
            }
        }
        return answer;
    }
}

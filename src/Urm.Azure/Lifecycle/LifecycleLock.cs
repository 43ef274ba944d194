using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Urm.Core.Serving;

namespace Urm.Azure.Lifecycle;

/// <summary>
/// One coordinator or finish of a catalog run at a time across every instance (planning a run, making it
/// the current one, finishing it; the chunks in between run outside it): a lease on the blob
/// <c>models/lifecycle.lock</c>. A lease lasts <see cref="LeaseDuration"/> and is renewed while held, so
/// an instance that dies frees the lock within that time; a holder that loses it (renewal refused) sees
/// <see cref="HeldLifecycleLock.Lost"/> cancelled and stops before writing anything that needs the lock.
/// </summary>
public sealed class LifecycleLock(BlobContainerClient models, ILogger<LifecycleLock>? logger = null, TimeProvider? time = null)
{
    public const string BlobName = "lifecycle.lock";

    /// <summary>Blob leases last 15 to 60 seconds (or forever, which a crashed holder would never give back).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    private readonly ILogger _logger = logger ?? NullLogger<LifecycleLock>.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Waits up to <paramref name="wait"/> for the lock.</summary>
    /// <exception cref="ServiceNotReadyException">Another run held it all that time (transient: the trigger retries).</exception>
    public async Task<HeldLifecycleLock> AcquireAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var blob = models.GetBlobClient(BlobName);
        try
        {
            await blob.UploadAsync(BinaryData.Empty, overwrite: false, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Exists already (or is leased right now): either way there is a blob to lease.
        }
        var lease = blob.GetBlobLeaseClient();
        var started = _time.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new HeldLifecycleLock(lease, _logger);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                if (_time.GetElapsedTime(started) >= wait)
                    throw new ServiceNotReadyException($"Another catalog run or model activation held models/{BlobName} for {wait}; this one is retried later.", TimeSpan.FromSeconds(30));
                await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 5_000));
            }
        }
    }
}

/// <summary>The lock while held: renewed in the background, given back on dispose.</summary>
public sealed class HeldLifecycleLock : IAsyncDisposable
{
    private readonly BlobLeaseClient _lease;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;

    internal HeldLifecycleLock(BlobLeaseClient lease, ILogger logger)
    {
        _lease = lease;
        _logger = logger;
        _renewal = RenewAsync();
    }

    /// <summary>Cancelled when the lease could not be renewed: another instance may hold the lock now.</summary>
    public CancellationToken Lost => _lost.Token;

    private async Task RenewAsync()
    {
        // A third of the lease: two renewals may fail on a blip before the lease runs out.
        using var timer = new PeriodicTimer(LifecycleLock.LeaseDuration / 3);
        try
        {
            var failures = 0;
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await _lease.RenewAsync(cancellationToken: _stop.Token).ConfigureAwait(false);
                    failures = 0;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Refused (another holder) at once; a network blip only when it repeats.
                    if (e is not RequestFailedException { Status: 409 or 412 } && ++failures < 2) continue;
                    _logger.LogError(e, "Lost the lifecycle lock (lease {Lease}); the run holding it stops", _lease.LeaseId);
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(false);
        if (!_lost.IsCancellationRequested)
        {
            try
            {
                await _lease.ReleaseAsync().ConfigureAwait(false);
            }
            catch (RequestFailedException e)
            {
                _logger.LogWarning(e, "Could not give back the lifecycle lock; it frees itself within {Lease}", LifecycleLock.LeaseDuration);
            }
        }
        _lost.Dispose();
        _stop.Dispose();
    }
}

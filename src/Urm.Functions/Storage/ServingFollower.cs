using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Urm.Azure.Blobs;
using Urm.Azure.Lifecycle;
using Urm.Core.Cards;
using Urm.Core.Experiments;
using Urm.Core.Models.Runtime;
using Urm.Functions.Options;

namespace Urm.Functions.Storage;

/// <summary>
/// Keeps this instance on what <c>models/serving.json</c> names: when the pointer moves, the named
/// package is downloaded and activated together with its card set (<see cref="ModelHost.ActivateAsync(string, ICardStore?, CancellationToken)"/>),
/// so every instance swaps model and cards in one step, whichever instance built the set. No event is
/// needed: the pointer is read every <see cref="LifecycleOptions.PollInterval"/> by ETag. During an experiment
/// (<paramref name="arms"/>), every arm whose model the pointer does not name is loaded into its own host with
/// the card set named after its version, which catalog runs keep current (<see cref="CatalogLifecycle"/>).
/// </summary>
public sealed class ServingFollower(
    ServingPointerStore pointers, BlobModelPackageSource packages, ModelHost host, ICardSets sets,
    IOptions<LifecycleOptions> options, ILogger<ServingFollower> logger, ArmModels? arms = null, TimeProvider? time = null)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TimeSpan _interval = options.Value.PollInterval;
    private ETag? _seen;
    private string? _set;
    private long _lastCheck = long.MinValue;
    private int _failures;
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;

    /// <summary>Reads the pointer and follows it if it moved. Failures throw; the old model keeps serving.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FollowAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// At request time: when the last look is older than the poll interval, looks again. An instance that
    /// serves nothing yet waits for that look; one that serves a model lets it run in the background and
    /// answers with the pair it has, which stays valid until the swap.
    /// </summary>
    public async ValueTask EnsureFreshAsync(CancellationToken cancellationToken)
    {
        if (!Due()) return;
        if (host.ActiveVersion is not null)
        {
            if (!await _gate.WaitAsync(0, cancellationToken).ConfigureAwait(false)) return;
            _ = Task.Run(async () =>
            {
                try
                {
                    if (Due()) await FollowAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Following models/serving.json failed; serving model {Version} meanwhile", host.ActiveVersion);
                }
                finally
                {
                    _gate.Release();
                }
            }, CancellationToken.None);
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Due()) await FollowAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nothing is served yet either way: the request answers 503 and the poller tries again.
            logger.LogWarning(e, "Following models/serving.json failed");
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool Due()
    {
        var last = Interlocked.Read(ref _lastCheck);
        return last == long.MinValue || _time.GetElapsedTime(last) >= _interval;
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        var read = await pointers.ReadIfChangedAsync(_seen, cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _lastCheck, _time.GetTimestamp());
        if (read is not { } changed)
        {
            await FollowArmsAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        var (pointer, etag) = changed;
        if (pointer is { ModelVersion: { } version, CardSet: { } set } && (host.ActiveVersion != version || _set != set))
        {
            // A model that failed to load is tried again, but less and less often: each try loads the package and reads the whole set.
            if (_time.GetUtcNow() < _retryAt) return;
            try
            {
                var package = await packages.DownloadAsync(version, cancellationToken).ConfigureAwait(false);
                var cards = await sets.OpenAsync(set, cancellationToken).ConfigureAwait(false);
                await host.ActivateAsync(package.Directory, cards, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _failures++;
                _retryAt = _time.GetUtcNow() + TimeSpan.FromTicks(Math.Min(_interval.Ticks << Math.Min(_failures, 6), TimeSpan.FromMinutes(5).Ticks));
                throw;
            }
            (_failures, _retryAt) = (0, DateTimeOffset.MinValue);
            _set = set;
            logger.LogInformation("Serving model {Version} with card set {Set}", version, set);
        }
        // Only once followed: a failed activation is tried again on a later look.
        _seen = etag;
        await FollowArmsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads each arm's model that neither the served host nor the arm's own host has yet (once per arm: its
    /// set then follows catalog runs as the served one does). An arm the served model answers needs nothing.
    /// </summary>
    private async Task FollowArmsAsync(CancellationToken cancellationToken)
    {
        if (arms is null) return;
        foreach (var arm in arms.Experiment.Arms)
        {
            if (host.ActiveVersion == arm.ModelVersion || arms.OwnHost(arm).ActiveVersion == arm.ModelVersion) continue;
            if (_time.GetUtcNow() < _retryAt) return;
            try
            {
                var package = await packages.DownloadAsync(arm.ModelVersion, cancellationToken).ConfigureAwait(false);
                var cards = await sets.OpenAsync(arm.ModelVersion, cancellationToken).ConfigureAwait(false);
                await arms.ActivateAsync(arm, package.Directory, cards, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _failures++;
                _retryAt = _time.GetUtcNow() + TimeSpan.FromTicks(Math.Min(_interval.Ticks << Math.Min(_failures, 6), TimeSpan.FromMinutes(5).Ticks));
                throw;
            }
            (_failures, _retryAt) = (0, DateTimeOffset.MinValue);
            logger.LogInformation("Serving arm {Arm}: model {Version} with card set {Set}", arm.Name, arm.ModelVersion, arm.ModelVersion);
        }
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Urm.Functions.Options;

namespace Urm.Functions.Storage;

/// <summary>
/// Per instance: at start, starts or resumes the activation models/active.json asks for if it is not served
/// yet (an event lost; a build whose chunks stopped being sent), during an experiment brings the arms' card
/// sets up to the last catalog, then follows models/serving.json every poll interval.
/// </summary>
public sealed class ServingPoller(CatalogLifecycle lifecycle, ServingFollower follower, IOptions<LifecycleOptions> options, ILogger<ServingPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var version = await lifecycle.ActivateModelAsync(stoppingToken).ConfigureAwait(false);
            if (version is null) logger.LogWarning("No model is served yet: the API answers 503 until models/active.json names a model package.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Activating the model at start failed; the next upload of models/active.json (or the next start) retries.");
        }
        try
        {
            await lifecycle.EncodeArmSetsAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Encoding the catalog into the experiment's arm card sets at start failed; the next catalog upload (or the next start) encodes them.");
        }

        using var timer = new PeriodicTimer(options.Value.PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await follower.RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Following models/serving.json failed; the instance serves what it has and looks again in {Interval}", options.Value.PollInterval);
            }
        }
    }
}

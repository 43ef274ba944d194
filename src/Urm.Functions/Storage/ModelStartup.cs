using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Urm.Functions.Storage;

/// <summary>Activates the model that models/active.json names when an instance starts, so a new instance serves without waiting for an event.</summary>
public sealed class ModelStartup(BlobModelActivator activator, ILogger<ModelStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var version = await activator.ActivateAsync(stoppingToken).ConfigureAwait(false);
            if (version is null) logger.LogWarning("No models/active.json yet: the API answers 503 until a model package is uploaded.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Activating the model at start failed; the next upload of models/active.json retries.");
        }
    }
}

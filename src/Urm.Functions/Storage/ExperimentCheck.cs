using Azure.Storage.Blobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Urm.Core.Experiments;
using Urm.Functions.Options;

namespace Urm.Functions.Storage;

/// <summary>
/// At start, before the app takes requests: every arm of <c>Experiment__Arms</c> names a model package in the
/// models container. The split itself is checked with the other settings (<see cref="UrmOptionsValidator"/>);
/// this needs the container, so it runs as the host starts, and a missing package stops the start with its name
/// rather than leaving an arm that answers 503 on every instance.
/// </summary>
public sealed class ExperimentCheck(BlobServiceClient blobs, IOptions<ModelsOptions> models, IOptions<ExperimentOptions> experiment) : IHostedService
{
    /// <exception cref="InvalidOperationException">An arm's model version has no package in the models container.</exception>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (experiment.Value.ToExperiment() is not { } split) return;
        var container = blobs.GetBlobContainerClient(models.Value.Container);
        var missing = new List<string>();
        foreach (var arm in split.Arms)
        {
            // The manifest is what every package has and what the download verifies first.
            if (!(await container.GetBlobClient($"{arm.ModelVersion}/manifest.json").ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
                missing.Add($"arm {arm.Name}'s model {arm.ModelVersion} (no {container.Name}/{arm.ModelVersion}/manifest.json)");
        }
        if (missing.Count > 0)
            throw new InvalidOperationException(
                $"Experiment__Arms names models that are not in the models container '{container.Name}': {string.Join("; ", missing)}. " +
                "Upload each arm's package (manifest.json, fusion.onnx, user.onnx) under its version first, or fix Experiment__Arms (unset: no experiment).");
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => CheckAsync(cancellationToken);

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

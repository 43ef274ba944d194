using Urm.Core.Experiments;
using Urm.Core.Models.Runtime;
using Urm.Core.Serving;

namespace Urm.Http.Serving;

/// <summary>
/// One request's hold on a model: its service stays valid, even across a model swap, until disposed.
/// During an experiment it is the model of the shopper's <see cref="Arm"/>.
/// </summary>
public sealed class ServingScope(ModelLease lease, RecommendationService service, ExperimentArm? arm = null) : IDisposable
{
    public RecommendationService Service { get; } = service;

    /// <summary>The experiment arm whose model this is; null outside an experiment.</summary>
    public ExperimentArm? Arm { get; } = arm;

    /// <summary>The service's answer, labelled with the arm that gave it.</summary>
    public async Task<RecommendResponse> RecommendAsync(ValidRecommendRequest valid, CancellationToken cancellationToken)
    {
        var response = await Service.RecommendAsync(valid, cancellationToken).ConfigureAwait(false);
        return Arm is null ? response : response with { Arm = Arm.Name };
    }

    public void Dispose() => lease.Dispose();
}

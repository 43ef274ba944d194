using Urm.Core.Models.Runtime;
using Urm.Core.Serving;

namespace Urm.Http.Serving;

/// <summary>One request's hold on the active model: its service stays valid, even across a model swap, until disposed.</summary>
public sealed class ServingScope(ModelLease lease, RecommendationService service) : IDisposable
{
    public RecommendationService Service { get; } = service;

    public void Dispose() => lease.Dispose();
}

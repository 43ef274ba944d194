using Microsoft.Extensions.Logging;
using Urm.Core.Features.Text;
using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;
using Urm.Core.Features;
using Urm.Core.Profiles;
using Urm.Core.Prompts;
using Urm.Core.Serving;

namespace Urm.Http.Serving;

/// <summary>
/// What the API's handlers depend on, grouped: the model host and the prompt text encoder.
/// <see cref="TryOpen"/> leases the active model with the cards activated with it and gives a
/// <see cref="RecommendationService"/> over the pair, so one request never mixes two models. The profile
/// store, where the host has one, gives a request by user id its stored history. The service
/// (with its prompt embeddings) is made once per activated model, so a request costs no prompt encoding once warm.
/// </summary>
public sealed class UrmServing(ModelHost models, ITextEncoder text, ILogger<UrmServing> logger, RecommendationOptions? options = null, IProfileStore? profiles = null)
{
    private readonly RecommendationOptions _options = options ?? RecommendationOptions.Default;
    private readonly Lock _gate = new();
    private (ModelPackage Package, RecommendationService Service)? _service;

    public RequestValidator Validator { get; } = new((options ?? RecommendationOptions.Default).Limits);

    public ILogger Logger { get; } = logger;

    /// <summary>Where a request's userId or sessionId finds its stored events; null where the host keeps no profiles (a test's composition).</summary>
    public IProfileStore? Profiles { get; } = profiles;

    /// <summary>A scope over the active model, or null when none has been activated yet.</summary>
    public ServingScope? TryOpen()
    {
        if (models.ActiveVersion is null) return null;
        ModelLease lease;
        try
        {
            lease = models.Acquire();
        }
        catch (ServiceNotReadyException)
        {
            return null;   // deactivated between the check and the lease
        }
        try
        {
            return new ServingScope(lease, Service(lease));
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>One service per activated model (its package, user encoder, prompts and cards), made on its first request.</summary>
    private RecommendationService Service(ModelLease lease)
    {
        lock (_gate)
        {
            // By package instance, not version: a model activated again (another card set) is another pair.
            if (_service is { } cached && ReferenceEquals(cached.Package, lease.Package)) return cached.Service;
            var model = new ServingModel(lease.Package, lease.Users, new PromptEncoder(lease.Package.Manifest, text));
            var service = new RecommendationService(model, lease.Cards, _options);
            _service = (lease.Package, service);
            return service;
        }
    }
}

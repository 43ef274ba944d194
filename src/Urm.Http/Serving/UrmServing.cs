using Microsoft.Extensions.Logging;
using Urm.Core.Features;
using Urm.Core.Models;
using Urm.Core.Prompts;
using Urm.Core.Serving;

namespace Urm.Http.Serving;

/// <summary>
/// What the API's handlers depend on, grouped: the model host and the prompt text encoder.
/// <see cref="TryOpen"/> leases the active model with the cards activated with it and gives a
/// <see cref="RecommendationService"/> over the pair, so one request never mixes two models; prompt
/// embeddings are cached per model version, so a request costs no prompt encoding once warm.
/// </summary>
public sealed class UrmServing(ModelHost models, ITextEncoder text, ILogger<UrmServing> logger, RecommendationOptions? options = null)
{
    private readonly RecommendationOptions _options = options ?? RecommendationOptions.Default;
    private readonly Lock _gate = new();
    private (string Version, PromptEncoder Prompts)? _prompts;

    public RequestValidator Validator { get; } = new((options ?? RecommendationOptions.Default).Limits);

    public ILogger Logger { get; } = logger;

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
            var model = new ServingModel(lease.Package, lease.Users, Prompts(lease.Package));
            return new ServingScope(lease, new RecommendationService(model, lease.Cards, _options));
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private PromptEncoder Prompts(ModelPackage package)
    {
        lock (_gate)
        {
            if (_prompts is { } cached && cached.Version == package.Version) return cached.Prompts;
            var prompts = new PromptEncoder(package.Manifest, text);
            _prompts = (package.Version, prompts);
            return prompts;
        }
    }
}

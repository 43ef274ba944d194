using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Urm.Core.Experiments;
using Urm.Core.Features.Text;
using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;
using Urm.Core.Features;
using Urm.Core.Kpi;
using Urm.Core.Profiles;
using Urm.Core.Prompts;
using Urm.Core.Serving;
using Urm.Core.Telemetry;

namespace Urm.Http.Serving;

/// <summary>
/// What the API's handlers depend on, grouped: the model host and the prompt text encoder.
/// <see cref="TryOpen()"/> leases the active model with the cards activated with it and gives a
/// <see cref="RecommendationService"/> over the pair, so one request never mixes two models. During an
/// experiment (<see cref="Arms"/>) a recommend request leases the model of its shopper's arm instead. The
/// profile store, where the host has one, gives a request by user id its stored history. The service
/// (with its prompt embeddings) is made once per activated model, so a request costs no prompt encoding once warm.
/// </summary>
/// <param name="metrics">Where each service records its answers' model and retrieval times; null: not measured.</param>
public sealed class UrmServing(ModelHost models, ITextEncoder text, ILogger<UrmServing> logger, RecommendationOptions? options = null, IProfileStore? profiles = null,
    IRecommendationLog? recommendations = null, TimeProvider? time = null, ArmModels? arms = null, UrmMetrics? metrics = null)
{
    /// <summary>The longest a log write may hold an answer up; past it the answer goes out unrecorded.</summary>
    public static TimeSpan RecordTimeout { get; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// After a failed or slow write, how long answers go out without asking the log again: a log that is
    /// down (a missing container, a store that times out) must not add <see cref="RecordTimeout"/> to every answer.
    /// </summary>
    public static TimeSpan RecordPause { get; } = TimeSpan.FromSeconds(30);

    private long _recordPausedUntil;   // UTC ticks; 0: not paused

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly RecommendationOptions _options = options ?? RecommendationOptions.Default;
    // By package instance, not version: a model activated again (another card set) is another pair. Weak, so
    // a package swapped out and disposed takes its service with it.
    private readonly ConditionalWeakTable<ModelPackage, RecommendationService> _services = new();

    public RequestValidator Validator { get; } = new((options ?? RecommendationOptions.Default).Limits);

    public ILogger Logger { get; } = logger;

    /// <summary>Where a request's userId or sessionId finds its stored events; null where the host keeps no profiles (a test's composition).</summary>
    public IProfileStore? Profiles { get; } = profiles;

    /// <summary>The experiment this host runs, with its arms' models; null when one model serves every request.</summary>
    public ArmModels? Arms { get; } = arms;

    /// <summary>Where each answer is recorded for attribution; null where the host keeps no log (a test's composition).</summary>
    public IRecommendationLog? Recommendations { get; } = recommendations;

    /// <summary>
    /// <paramref name="response"/> with a new recommendationId, recorded in the log. A failed or slow write is
    /// logged and the answer still goes out: the shopper's answer matters more than one KPI row.
    /// </summary>
    public async Task<RecommendResponse> RecordAsync(ValidRecommendRequest valid, RecommendResponse response, CancellationToken cancellationToken)
    {
        var recorded = response with { RecommendationId = RecommendationRecord.NewId() };
        if (Recommendations is null || _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _recordPausedUntil)) return recorded;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RecordTimeout);
        try
        {
            await Recommendations.RecordAsync(RecommendationRecord.Of(valid, recorded, _time.GetUtcNow()), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The exception's type only: its message may name the store's file or endpoint and its request; no shopper id either.
            Interlocked.Exchange(ref _recordPausedUntil, (_time.GetUtcNow() + RecordPause).UtcTicks);
            Logger.LogWarning("Recommendation {RecommendationId} was answered but not recorded for KPIs ({Error}); answers of the next {Pause} s go out unrecorded",
                recorded.RecommendationId, e is OperationCanceledException ? $"the log took longer than {RecordTimeout.TotalSeconds:0} s" : e.GetType().Name,
                RecordPause.TotalSeconds);
        }
        return recorded;
    }

    /// <summary>
    /// Makes the service of the primary model and of each experiment arm's and warms it up
    /// (<see cref="RecommendationService.WarmUpAsync"/>), so the first shoppers after a start do not wait for it.
    /// A model not active yet is skipped.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var hosts = new List<(ModelHost Host, ExperimentArm? Arm)> { (models, null) };
        if (Arms is not null) hosts.AddRange(Arms.Experiment.Arms.Select(arm => (Arms.HostOf(arm), (ExperimentArm?)arm)));
        foreach (var (host, arm) in hosts)
        {
            using var scope = TryOpen(host, arm);
            if (scope is not null) await scope.Service.WarmUpAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A scope over the primary model, or null when none has been activated yet.</summary>
    public ServingScope? TryOpen() => TryOpen(models, arm: null);

    /// <summary>
    /// A scope for a recommend request: during an experiment over the model of its shopper's arm (by
    /// userId, else sessionId); a request with neither id, like every request outside an experiment, over
    /// the primary model and in no arm. Null when that model has not been activated yet.
    /// </summary>
    /// <exception cref="ServiceNotReadyException">The shopper's arm's model is not loaded on this instance.</exception>
    public ServingScope? TryOpen(RecommendRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arm = Arms?.Experiment.Assign(request.UserId, request.SessionId);
        return arm is null ? TryOpen() : TryOpen(Arms!.HostOf(arm), arm);
    }

    /// <summary>Each arm's model and cards as GET /api/health reports them; empty outside an experiment.</summary>
    /// <exception cref="ServiceNotReadyException">An arm's model is not loaded on this instance.</exception>
    public async Task<IReadOnlyList<(ExperimentArm Arm, HealthReport Health)>> ArmHealthAsync(CancellationToken cancellationToken)
    {
        if (Arms is null) return [];
        var reports = new List<(ExperimentArm, HealthReport)>();
        foreach (var arm in Arms.Experiment.Arms)
        {
            using var scope = TryOpen(Arms.HostOf(arm), arm) ?? throw new ServiceNotReadyException($"Arm {arm.Name}'s model {arm.ModelVersion} is not active yet.");
            reports.Add((arm, await scope.Service.GetHealthAsync(cancellationToken).ConfigureAwait(false)));
        }
        return reports;
    }

    private ServingScope? TryOpen(ModelHost host, ExperimentArm? arm)
    {
        if (host.ActiveVersion is null) return null;
        ModelLease lease;
        try
        {
            lease = host.Acquire();
        }
        catch (ServiceNotReadyException)
        {
            return null;   // deactivated between the check and the lease
        }
        try
        {
            return new ServingScope(lease, Service(lease), arm);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>One service per activated model (its package, user encoder, prompts and cards), made on its first request.</summary>
    private RecommendationService Service(ModelLease lease)
        => _services.GetValue(lease.Package, package =>
            new RecommendationService(new ServingModel(package, lease.Users, new PromptEncoder(package.Manifest, text)), lease.Cards, _options, metrics));
}

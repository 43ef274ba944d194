using Urm.Core.Cards;
using Urm.Core.Models.Runtime;
using Urm.Core.Serving;

namespace Urm.Core.Experiments;

/// <summary>
/// The models of an experiment's arms on one instance, side by side: an arm whose model the primary host
/// serves is served by it; every other arm has a <see cref="ModelHost"/> of its own, activated with its own
/// card set (the cards its model fused), so a request leases its arm's model and cards together, as it would
/// the primary's.
/// </summary>
public sealed class ArmModels : IDisposable
{
    private readonly ModelHost _primary;
    private readonly Dictionary<string, ModelHost> _own;

    /// <param name="primary">The host that serves requests outside the experiment (and the arm whose model it has, if any).</param>
    /// <param name="options">Settings of the arms' own hosts: those of the primary one.</param>
    public ArmModels(Experiment experiment, ModelHost primary, ModelHostOptions? options = null)
    {
        Experiment = experiment ?? throw new ArgumentNullException(nameof(experiment));
        _primary = primary ?? throw new ArgumentNullException(nameof(primary));
        // Made empty now, activated by the composition root: a host costs nothing until a package is loaded.
        _own = experiment.Arms.ToDictionary(a => a.Name, _ => new ModelHost(options), StringComparer.Ordinal);
    }

    public Experiment Experiment { get; }

    /// <summary>The host of <paramref name="arm"/>'s own (to activate it, or to encode its card set).</summary>
    public ModelHost OwnHost(ExperimentArm arm) => _own[Known(arm).Name];

    /// <summary>
    /// Loads <paramref name="arm"/>'s model from <paramref name="directory"/> into its own host with
    /// <paramref name="cards"/>, its card set.
    /// </summary>
    /// <exception cref="Models.Package.ModelPackageException">The package cannot be served.</exception>
    /// <exception cref="InvalidOperationException">The package is another version than the arm's.</exception>
    public async Task ActivateAsync(ExperimentArm arm, string directory, ICardStore cards, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cards);
        var version = await OwnHost(arm).ActivateAsync(directory, cards, cancellationToken).ConfigureAwait(false);
        if (version != arm.ModelVersion)
            throw new InvalidOperationException($"The model in '{directory}' is version {version}, but arm {arm.Name} is model {arm.ModelVersion} (Experiment__Arms).");
    }

    /// <summary>The host serving <paramref name="arm"/>'s model now: the primary when it has that version, else the arm's own.</summary>
    /// <exception cref="ServiceNotReadyException">Neither has the arm's model: it was never activated here.</exception>
    public ModelHost HostOf(ExperimentArm arm)
    {
        if (_primary.ActiveVersion == arm.ModelVersion) return _primary;
        var own = OwnHost(arm);
        return own.ActiveVersion == arm.ModelVersion
            ? own
            : throw new ServiceNotReadyException($"Arm {arm.Name}'s model {arm.ModelVersion} is not loaded on this instance (Experiment__Arms names it; the primary model is {_primary.ActiveVersion ?? "none"}).");
    }

    public void Dispose()
    {
        foreach (var host in _own.Values) host.Dispose();
    }

    private ExperimentArm Known(ExperimentArm arm)
    {
        ArgumentNullException.ThrowIfNull(arm);
        return Experiment.Arms.Contains(arm) ? arm : throw new ArgumentException($"Arm {arm.Name} ({arm.ModelVersion}) is not an arm of this experiment.", nameof(arm));
    }
}

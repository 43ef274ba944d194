namespace Urm.Core.Experiments;

/// <summary>
/// Settings <c>Experiment__*</c> (docs/EXPERIMENTS.md): a traffic split between model versions. Unset
/// <see cref="Arms"/> means no experiment: one model serves every request.
/// </summary>
public sealed record ExperimentOptions
{
    public const string Section = "Experiment";

    /// <summary>"<c>&lt;modelVersion&gt;=&lt;share&gt;,…</c>": two or more distinct versions whose shares sum to 1; the first is arm A, the control.</summary>
    public string? Arms { get; init; }

    /// <summary>Mixed into the arm hash; by default the arms' model versions joined by commas. A new salt reshuffles every shopper.</summary>
    public string? Salt { get; init; }

    /// <summary>Every problem, each naming its setting; empty when the options can be used.</summary>
    public IEnumerable<string> Problems()
        => string.IsNullOrWhiteSpace(Arms) || Experiment.TryParse(Arms, Salt, out _, out var problems) ? [] : problems;

    /// <summary>The experiment these settings describe; null when <see cref="Arms"/> is unset.</summary>
    /// <exception cref="ArgumentException">The settings are not a valid split; the message lists every problem.</exception>
    public Experiment? ToExperiment() => string.IsNullOrWhiteSpace(Arms) ? null : Experiment.Parse(Arms, Salt);
}

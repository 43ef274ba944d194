using Microsoft.Extensions.Configuration;
using Urm.Core.Experiments;
using Urm.Core.Models.Package;

namespace Urm.Cli.Serve;

/// <summary>
/// `urm serve`'s experiment: the split of --experiment (or the settings <c>Experiment__*</c>), each arm
/// matched by model version to a --model folder, checked before anything is loaded.
/// </summary>
/// <param name="Own">The arms the primary model does not serve, each with the folder of its model.</param>
public sealed record ServeExperiment(Experiment Experiment, IReadOnlyList<(ExperimentArm Arm, string Directory)> Own)
{
    /// <summary>The experiment <paramref name="settings"/> (else <paramref name="configuration"/>) asks for; null when none.</summary>
    /// <exception cref="ArgumentException">The split is invalid, or the --model folders do not hold exactly the arms' models.</exception>
    public static ServeExperiment? Resolve(ServeSettings settings, IConfiguration configuration)
    {
        var options = settings.Experiment ?? configuration.GetSection(ExperimentOptions.Section).Get<ExperimentOptions>() ?? new ExperimentOptions();
        var problems = options.Problems().ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems) + " (urm serve: --experiment, or the environment variable Experiment__Arms)");
        var experiment = options.ToExperiment();
        if (experiment is null)
        {
            if (settings.ArmModelDirectories.Count > 0)
                throw new ArgumentException($"--model is given {1 + settings.ArmModelDirectories.Count} times, but no experiment splits traffic between the models: add --experiment '<versionA>=0.5,<versionB>=0.5', or give --model once.");
            return null;
        }

        var primary = VersionOf(settings.ModelDirectory);
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var directory in settings.ArmModelDirectories)
        {
            var version = VersionOf(directory);
            if (version == primary || !folders.TryAdd(version, directory))
                throw new ArgumentException($"The model in '{directory}' (version {version}) is given twice with --model.");
            if (experiment.Arms.All(a => a.ModelVersion != version))
                throw new ArgumentException($"The model in '{directory}' (version {version}) serves no arm of the experiment ({Arms(experiment)}): drop that --model, or name its version in --experiment.");
        }
        var own = new List<(ExperimentArm, string)>();
        foreach (var arm in experiment.Arms.Where(a => a.ModelVersion != primary))
        {
            if (!folders.TryGetValue(arm.ModelVersion, out var directory))
                throw new ArgumentException($"Arm {arm.Name}'s model {arm.ModelVersion} is in no --model folder (the folders hold {string.Join(", ", folders.Keys.Prepend(primary))}): add --model with its folder.");
            own.Add((arm, directory));
        }
        return new ServeExperiment(experiment, own);
    }

    private static string VersionOf(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The model folder '{directory}' does not exist; pass --model with a folder holding manifest.json, fusion.onnx and user.onnx.");
        // The manifest and graph files, checked without loading the model: a broken folder stops the start here.
        return ModelPackage.VerifyFiles(directory).Version;
    }

    private static string Arms(Experiment experiment)
        => string.Join(", ", experiment.Arms.Select(a => FormattableString.Invariant($"{a.Name}: {a.ModelVersion} {a.Share:P0}")));
}

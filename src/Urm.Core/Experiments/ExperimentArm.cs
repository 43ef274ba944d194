namespace Urm.Core.Experiments;

/// <summary>
/// One arm of an experiment: its name (A, B, … in the order the setting lists the arms), the model version
/// that serves it and its share of the shoppers.
/// </summary>
public sealed record ExperimentArm(string Name, string ModelVersion, double Share);

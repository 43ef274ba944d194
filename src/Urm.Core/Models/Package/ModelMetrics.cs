namespace Urm.Core.Models.Package;

/// <summary>The manifest's <c>metrics</c>: validation and test figures and the epoch kept.</summary>
public sealed record ModelMetrics(SplitMetrics Validation, SplitMetrics Test, int BestEpoch);

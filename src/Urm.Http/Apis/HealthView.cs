using Urm.Core.Experiments;
using Urm.Core.Serving;

namespace Urm.Http.Apis;

/// <summary>
/// GET /api/health: which model and catalog this instance serves, and where the model runs (<c>cpu</c> or
/// <c>cuda</c>); during an experiment, each arm's model and cards (<c>arms</c>, null outside one).
/// </summary>
public sealed record HealthView(string Status, string ModelVersion, int CardCount, long CatalogVersion, string CardModelVersion, string ExecutionProvider,
    IReadOnlyList<ArmHealthView>? Arms = null)
{
    public static HealthView From(HealthReport report, IReadOnlyList<(ExperimentArm Arm, HealthReport Health)>? arms = null)
        => new("ok", report.ModelVersion, report.CardCount, report.CatalogVersion, report.CardModelVersion, report.ExecutionProvider.ToString().ToLowerInvariant(),
            arms is { Count: > 0 } ? arms.Select(a => new ArmHealthView(a.Arm.Name, a.Arm.Share, a.Health.ModelVersion, a.Health.CardCount, a.Health.CatalogVersion)).ToList() : null);
}

/// <summary>One experiment arm in GET /api/health: its share of shoppers, its model and that model's card set.</summary>
public sealed record ArmHealthView(string Arm, double Share, string ModelVersion, int CardCount, long CatalogVersion);

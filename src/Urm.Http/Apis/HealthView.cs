using Urm.Core.Serving;

namespace Urm.Http.Apis;

/// <summary>GET /api/health: which model and catalog this instance serves, and where the model runs (<c>cpu</c> or <c>cuda</c>).</summary>
public sealed record HealthView(string Status, string ModelVersion, int CardCount, long CatalogVersion, string CardModelVersion, string ExecutionProvider)
{
    public static HealthView From(HealthReport report)
        => new("ok", report.ModelVersion, report.CardCount, report.CatalogVersion, report.CardModelVersion, report.ExecutionProvider.ToString().ToLowerInvariant());
}

using Urm.Core.Features;

namespace Urm.Core.Serving;

/// <summary>What GET /api/health answers: which model and which catalog this instance serves, and where the model runs.</summary>
/// <param name="CardModelVersion">The model that fused the cards; differs from <paramref name="ModelVersion"/> only while cards are being re-fused.</param>
public sealed record HealthReport(
    string ModelVersion,
    int CardCount,
    long CatalogVersion,
    string CardModelVersion,
    ExecutionProvider ExecutionProvider);

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Urm.Http.Apis;
using Urm.Http.Serving;

namespace Urm.Functions.Triggers;

/// <summary>GET /api/kpi (function key: the shop's business figures): the shared handler.</summary>
public sealed class GetKpi(KpiServing kpi)
{
    [Function(nameof(GetKpi))]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "kpi")] HttpRequest request,
        CancellationToken cancellationToken)
        => new HttpResultAction(await KpiApi.GetKpiAsync(request.Query["from"], request.Query["to"], kpi, cancellationToken, request.HttpContext));
}

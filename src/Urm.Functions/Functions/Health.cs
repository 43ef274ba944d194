using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Urm.Http.Apis;
using Urm.Http.Serving;

namespace Urm.Functions.Functions;

/// <summary>GET /api/health (anonymous, for probes): the shared handler.</summary>
public sealed class Health(UrmServing serving)
{
    [Function(nameof(Health))]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
        => new HttpResultAction(await UrmApi.HealthAsync(serving, cancellationToken, request.HttpContext));
}

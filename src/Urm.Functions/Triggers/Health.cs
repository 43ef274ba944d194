using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Urm.Http.Apis;
using Urm.Functions.Storage;
using Urm.Http.Serving;

namespace Urm.Functions.Triggers;

/// <summary>GET /api/health (anonymous, for probes): the shared handler.</summary>
public sealed class Health(UrmServing serving, ServingFollower? follower = null)
{
    [Function(nameof(Health))]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        // The model and cards models/serving.json names, looked at again when the last look is older than the
        // poll interval (the follower is absent only where a test composes the handlers without the lifecycle).
        if (follower is not null) await follower.EnsureFreshAsync(cancellationToken);
        return new HttpResultAction(await UrmApi.HealthAsync(serving, cancellationToken, request.HttpContext));
    }
}

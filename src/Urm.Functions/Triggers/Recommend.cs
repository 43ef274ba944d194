using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Urm.Http.Apis;
using Urm.Functions.Storage;
using Urm.Http.Serving;

namespace Urm.Functions.Triggers;

/// <summary>POST /api/recommend (function key): the shared handler.</summary>
public sealed class Recommend(UrmServing serving, ServingFollower? follower = null)
{
    [Function(nameof(Recommend))]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "recommend")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        // The model and cards models/serving.json names, looked at again when the last look is older than the
        // poll interval (the follower is absent only where a test composes the handlers without the lifecycle).
        if (follower is not null) await follower.EnsureFreshAsync(cancellationToken);
        return new HttpResultAction(await UrmApi.RecommendAsync(request, serving, cancellationToken));
    }
}

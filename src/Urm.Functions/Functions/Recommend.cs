using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Urm.Http.Apis;
using Urm.Http.Serving;

namespace Urm.Functions.Functions;

/// <summary>POST /api/recommend (function key): the shared handler.</summary>
public sealed class Recommend(UrmServing serving)
{
    [Function(nameof(Recommend))]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "recommend")] HttpRequest request,
        CancellationToken cancellationToken)
        => new HttpResultAction(await UrmApi.RecommendAsync(request, serving, cancellationToken));
}

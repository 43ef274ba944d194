using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Urm.Http.Apis;
using Urm.Http.Serving;

namespace Urm.Functions.Functions;

/// <summary>GET /api/items/{id} (function key): the shared handler.</summary>
public sealed class GetItem(UrmServing serving)
{
    [Function(nameof(GetItem))]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "items/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
        => new HttpResultAction(await UrmApi.GetItemAsync(id, serving, cancellationToken, request.HttpContext));
}

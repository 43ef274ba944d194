using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Urm.Http.Apis;
using Urm.Http.Serving;

namespace Urm.Functions.Triggers;

/// <summary>GET /api/users/{id} (function key: a profile is personal data): the shared handler.</summary>
public sealed class GetUser(ProfileServing profiles)
{
    [Function(nameof(GetUser))]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
        => new HttpResultAction(await ProfileApi.GetUserAsync(id, profiles, cancellationToken, request.HttpContext));
}

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Urm.Http.Apis;
using Urm.Http.Serving;

namespace Urm.Functions.Triggers;

/// <summary>DELETE /api/users/{id} (function key): the shared handler; erases the user's profile and events.</summary>
public sealed class DeleteUser(ProfileServing profiles)
{
    [Function(nameof(DeleteUser))]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "users/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
        => new HttpResultAction(await ProfileApi.DeleteUserAsync(id, profiles, cancellationToken, request.HttpContext));
}
